using System.Globalization;
using System.Text;
using Edgeplane.Plugins.Rollouts.Data.Reports;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Edgeplane.Plugins.Rollouts.Domain.Reports;

/// <summary>
/// A small flowing-layout PDF writer over PdfPig's <see cref="PdfDocumentBuilder"/> (Apache-2.0): A4 pages with
/// the team's branding band (name, logo, primary colour) on each page, headings, paragraphs, key/value lines,
/// tables with an accent-coloured header row, and a footer with the generation time and page number.
/// Text uses the standard Helvetica fonts; see <see cref="Clean"/> for the characters they show.
/// </summary>
public sealed class PdfReport : IDisposable
{
    private const double Width = 595, Height = 842, Margin = 48, BandHeight = 64, FooterHeight = 36;

    private readonly PdfDocumentBuilder _builder = new();
    private readonly PdfDocumentBuilder.AddedFont _regular;
    private readonly PdfDocumentBuilder.AddedFont _bold;
    private readonly Branding _branding;
    private readonly string _title;
    private readonly DateTimeOffset _generatedAt;
    private readonly List<PdfPageBuilder> _pages = [];
    private PdfPageBuilder _page = null!;
    private double _y;

    public PdfReport(Branding branding, string title, DateTimeOffset generatedAt)
    {
        _branding = branding;
        _title = title;
        _generatedAt = generatedAt;
        _regular = _builder.AddStandard14Font(Standard14Font.Helvetica);
        _bold = _builder.AddStandard14Font(Standard14Font.HelveticaBold);
        _builder.DocumentInformation.Title = Clean(title);
        _builder.DocumentInformation.Author = Clean(branding.Name);
        _builder.DocumentInformation.Producer = "Edgeplane Rollouts";
        NewPage();
    }

    /// <summary>Whether <paramref name="image"/> is a PNG or JPEG this writer can place (it is decoded into a throwaway document).</summary>
    public static bool CanPlace(byte[] image, string contentType)
    {
        try
        {
            using var builder = new PdfDocumentBuilder();
            var page = builder.AddPage(100, 100);
            var box = new PdfRectangle(0, 0, 50, 50);
            if (contentType == "image/png") page.AddPng(image, box);
            else page.AddJpeg(image, box);
            builder.Build();
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private void NewPage()
    {
        _page = _builder.AddPage(Width, Height);
        _pages.Add(_page);
        var (r, g, b) = _branding.Primary;
        _page.SetTextAndFillColor(r, g, b);
        _page.DrawRectangle(new PdfPoint(0, Height - BandHeight), Width, BandHeight, 0, fill: true);
        var (tr, tg, tb) = Branding.Contrast(_branding.Primary);
        _page.SetTextAndFillColor(tr, tg, tb);
        _page.AddText(Fit(_branding.Name, 18, _bold, Width - 2 * Margin - 140), 18, new PdfPoint(Margin, Height - 30), _bold);
        _page.AddText(Fit(_title, 11, _regular, Width - 2 * Margin - 140), 11, new PdfPoint(Margin, Height - 50), _regular);
        if (_branding.Logo is { } logo && _branding.LogoContentType is { } type)
        {
            // Fit the logo into a 120 x 48 box at the band's right end.
            var box = new PdfRectangle(Width - Margin - 120, Height - BandHeight + 8, Width - Margin, Height - 8);
            if (type == "image/png") _page.AddPng(logo, box);
            else _page.AddJpeg(logo, box);
        }
        _page.ResetColor();
        _y = Height - BandHeight - 28;
    }

    private void Need(double height)
    {
        if (_y - height < Margin + FooterHeight) NewPage();
    }

    public void Heading(string text)
    {
        Need(40);
        _y -= 8;
        var (r, g, b) = _branding.Primary;
        _page.SetTextAndFillColor(r, g, b);
        _page.AddText(Fit(text, 14, _bold, Width - 2 * Margin), 14, new PdfPoint(Margin, _y), _bold);
        _page.ResetColor();
        var (ar, ag, ab) = _branding.Accent;
        _page.SetStrokeColor(ar, ag, ab);
        _page.DrawLine(new PdfPoint(Margin, _y - 5), new PdfPoint(Width - Margin, _y - 5), 1.5);
        _page.ResetColor();
        _y -= 24;
    }

    public void Paragraph(string text, double size = 10)
    {
        foreach (var line in Wrap(text, size, _regular, Width - 2 * Margin))
        {
            Need(size + 4);
            _page.AddText(line, size, new PdfPoint(Margin, _y), _regular);
            _y -= size + 4;
        }
        _y -= 4;
    }

    public void KeyValues(IEnumerable<(string Key, string Value)> pairs)
    {
        foreach (var (key, value) in pairs)
        {
            var lines = Wrap(value, 10, _regular, Width - 2 * Margin - 150);
            Need(14 * Math.Max(1, lines.Count));
            _page.AddText(Fit(key, 10, _bold, 145), 10, new PdfPoint(Margin, _y), _bold);
            foreach (var line in lines.DefaultIfEmpty(""))
            {
                _page.AddText(line, 10, new PdfPoint(Margin + 150, _y), _regular);
                _y -= 14;
            }
        }
        _y -= 6;
    }

    /// <summary>A table; <paramref name="widths"/> are fractions of the text width. Cells are cut to fit their column.</summary>
    public void Table(IReadOnlyList<string> headers, IReadOnlyList<double> widths, IEnumerable<IReadOnlyList<string>> rows)
    {
        var total = Width - 2 * Margin;
        var columns = widths.Select(w => w * total).ToArray();
        void Header()
        {
            Need(36);
            var (r, g, b) = _branding.Accent;
            _page.SetTextAndFillColor(r, g, b);
            _page.DrawRectangle(new PdfPoint(Margin, _y - 5), total, 17, 0, fill: true);
            var (tr, tg, tb) = Branding.Contrast(_branding.Accent);
            _page.SetTextAndFillColor(tr, tg, tb);
            var x = Margin + 3;
            for (var i = 0; i < headers.Count; i++)
            {
                _page.AddText(Fit(headers[i], 9, _bold, columns[i] - 6), 9, new PdfPoint(x, _y), _bold);
                x += columns[i];
            }
            _page.ResetColor();
            _y -= 17;
        }
        Header();
        var any = false;
        var shade = false;
        foreach (var row in rows)
        {
            any = true;
            if (_y - 15 < Margin + FooterHeight)
            {
                NewPage();
                Header();
            }
            if (shade)
            {
                _page.SetTextAndFillColor(242, 242, 242);
                _page.DrawRectangle(new PdfPoint(Margin, _y - 4), total, 14, 0, fill: true);
                _page.ResetColor();
            }
            shade = !shade;
            var x = Margin + 3;
            for (var i = 0; i < headers.Count; i++)
            {
                _page.AddText(Fit(i < row.Count ? row[i] : "", 9, _regular, columns[i] - 6), 9, new PdfPoint(x, _y), _regular);
                x += columns[i];
            }
            _y -= 14;
        }
        if (!any)
        {
            _page.AddText("(none)", 9, new PdfPoint(Margin + 3, _y), _regular);
            _y -= 14;
        }
        _y -= 10;
    }

    public byte[] Build()
    {
        var stamp = "Generated " + _generatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        for (var i = 0; i < _pages.Count; i++)
        {
            var page = _pages[i];
            var (r, g, b) = _branding.Accent;
            page.SetStrokeColor(r, g, b);
            page.DrawLine(new PdfPoint(Margin, Margin + 14), new PdfPoint(Width - Margin, Margin + 14), 1);
            page.ResetColor();
            page.AddText(Clean($"{_branding.Name} - {_title} - {stamp}"), 8, new PdfPoint(Margin, Margin), _regular);
            var number = $"Page {i + 1} of {_pages.Count}";
            page.AddText(number, 8, new PdfPoint(Width - Margin - TextWidth(number, 8, _regular), Margin), _regular);
        }
        return _builder.Build();
    }

    public void Dispose() => _builder.Dispose();

    private double TextWidth(string text, double size, PdfDocumentBuilder.AddedFont font)
    {
        if (text.Length == 0) return 0;
        var letters = _page.MeasureText(text, size, new PdfPoint(0, 0), font);
        return letters.Count == 0 ? 0 : letters[^1].EndBaseLine.X;
    }

    /// <summary>The text cut (with "...") to <paramref name="width"/> points.</summary>
    private string Fit(string text, double size, PdfDocumentBuilder.AddedFont font, double width)
    {
        text = Clean(text);
        if (TextWidth(text, size, font) <= width) return text;
        var lo = 0;
        var hi = text.Length;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (TextWidth(text[..mid] + "...", size, font) <= width) lo = mid;
            else hi = mid - 1;
        }
        return text[..lo] + "...";
    }

    private List<string> Wrap(string text, double size, PdfDocumentBuilder.AddedFont font, double width)
    {
        var lines = new List<string>();
        foreach (var paragraph in Clean(text, keepNewlines: true).Split('\n'))
        {
            var line = new StringBuilder();
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && TextWidth(candidate, size, font) > width)
                {
                    lines.Add(line.ToString());
                    line.Clear().Append(word);
                }
                else
                {
                    line.Clear().Append(candidate);
                }
                if (TextWidth(line.ToString(), size, font) > width)
                {
                    lines.Add(Fit(line.ToString(), size, font, width));
                    line.Clear();
                }
            }
            if (line.Length > 0) lines.Add(line.ToString());
        }
        return lines;
    }

    /// <summary>
    /// Keeps what PdfPig's standard fonts can show, printable ASCII: accents are dropped ("Zürich" → "Zurich"),
    /// anything else becomes '?'.
    /// </summary>
    internal static string Clean(string? text, bool keepNewlines = false)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark) continue;
            if (c == '\n' && keepNewlines) sb.Append('\n');
            else if (c is '\t' or '\n' or '\r') sb.Append(' ');
            else if (c is >= ' ' and <= '~') sb.Append(c);
            else sb.Append('?');
        }
        return sb.ToString();
    }
}
