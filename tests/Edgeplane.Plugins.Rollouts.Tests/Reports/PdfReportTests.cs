using Edgeplane.Plugins.Rollouts.Data.Reports;
using Edgeplane.Plugins.Rollouts.Domain.Reports;
using UglyToad.PdfPig;

namespace Edgeplane.Plugins.Rollouts.Tests.Reports;

/// <summary>The PDF writer on its own: rendered by poppler (pdftoppm), read back by PdfPig and pdftotext.</summary>
public sealed class PdfReportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rollouts-pdf-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static Branding Brand(byte[]? logo = null) => new()
    {
        Name = "Acme Fleet Ops", PrimaryColor = "#C0392B", AccentColor = "#27AE60", Logo = logo, LogoContentType = logo is null ? null : "image/png",
    };

    private static byte[] Build(Branding branding, int rows)
    {
        using var pdf = new PdfReport(branding, "Test report", DateTimeOffset.Parse("2026-11-23T10:00:00Z"));
        pdf.Heading("Summary");
        pdf.KeyValues([("Devices", "12"), ("Unicode", "Zürich → ✓ 東京")]);
        pdf.Paragraph(string.Join(' ', Enumerable.Repeat("A paragraph long enough to be wrapped over several lines of the page.", 12)));
        pdf.Table(["Device", "Version", "Status"], [0.5, 0.25, 0.25], Enumerable.Range(0, rows).Select(i => (IReadOnlyList<string>)[$"device-{i:D4}", "1.2." + i, i % 2 == 0 ? "online" : "offline"]));
        return pdf.Build();
    }

    [Fact]
    public async Task A_page_renders_with_the_branding_colours_and_logo_and_its_text_extracts()
    {
        if (!Poppler.Available) Assert.Skip("poppler-utils (pdftoppm, pdftotext) is not installed: build/install-test-deps.sh installs it");
        var logo = Png.Solid(60, 24, (0x1E, 0x90, 0xFF));
        var bytes = Build(Brand(logo), 5);

        var page = await Poppler.RenderAsync(bytes, _dir);
        var text = await Poppler.TextAsync(bytes, _dir);
        using var document = PdfDocument.Open(bytes);
        var words = string.Join(' ', document.GetPage(1).GetWords().Select(w => w.Text));

        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));
        var white = page.Count(p => p is { R: > 250, G: > 250, B: > 250 });
        Assert.True(white < page.Width * page.Height * 0.95, "the page is blank");
        Assert.True(page.Count(p => Png.Near(p, (0xC0, 0x39, 0x2B))) > page.Width * 20, "no band in the primary colour");
        Assert.True(page.Count(p => Png.Near(p, (0x27, 0xAE, 0x60))) > 100, "no table header in the accent colour");
        Assert.True(page.Count(p => Png.Near(p, (0x1E, 0x90, 0xFF))) > 50, "the logo is not drawn");
        Assert.True(Png.Near(page[page.Width / 4, 5], (0xC0, 0x39, 0x2B)), "the band is not at the top");
        Assert.Contains("Acme Fleet Ops", text);
        Assert.Contains("device-0004", text);
        Assert.Contains("Zurich ? ? ??", text); // accents dropped, other characters '?'
        Assert.Contains("Page 1 of 1", text);
        Assert.Contains("Acme", words);
        Assert.Equal("Test report", document.Information.Title);
    }

    [Fact]
    public async Task A_long_table_continues_on_new_pages_with_the_band_and_header_repeated()
    {
        if (!Poppler.Available) Assert.Skip("poppler-utils (pdftoppm, pdftotext) is not installed: build/install-test-deps.sh installs it");
        var bytes = Build(Brand(), 150);

        var pages = await Poppler.PagesAsync(bytes, _dir);
        var last = await Poppler.RenderAsync(bytes, _dir, page: pages);
        var text = await Poppler.TextAsync(bytes, _dir);

        Assert.True(pages >= 3, $"{pages} pages");
        Assert.True(Png.Near(last[last.Width / 4, 5], (0xC0, 0x39, 0x2B)), "no band on the last page");
        Assert.Contains("device-0149", text);
        Assert.Contains($"Page {pages} of {pages}", text);
        Assert.True(text.Split("Version").Length - 1 >= pages - 1, "the table header is not repeated");
    }

    [Fact]
    public void A_logo_that_is_not_a_decodable_image_is_refused()
    {
        Assert.True(PdfReport.CanPlace(Png.Solid(4, 4, (1, 2, 3)), "image/png"));
        Assert.False(PdfReport.CanPlace([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3], "image/png"));
        Assert.Equal("image/png", Branding.SniffImage(Png.Solid(1, 1, (0, 0, 0))));
        Assert.Null(Branding.SniffImage("GIF89a"u8));
    }
}
