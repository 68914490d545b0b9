using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Device.V1;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Rollouts.Agent;

namespace Edgeplane.Plugins.Rollouts.Tests.Reports;

/// <summary>Report branding and the evidence reports as JSON and PDF, through the real host.</summary>
[Collection(RolloutsCollection.Name)]
public sealed class ReportsTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<DeviceFiles> EnrollAsync(string deviceType, params (string Name, string Version)[] software)
    {
        var device = new DeviceFiles(fixture.Work.Combine("reports"), deviceType + "-" + Guid.NewGuid().ToString("N")[..6]);
        var reply = await NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, "Enroll", device.EnrollRequest(await fixture.NewTokenAsync(), new { }, deviceType),
            device.CertPath, device.KeyPath);
        Assert.True((bool)reply["ok"]!, reply.ToJsonString());
        device.Enrolled(reply);
        if (software.Length > 0)
        {
            using var client = new DeviceClient(fixture.DeviceUri, device.ClientCertificate(), X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(fixture.CaPath, Ct)));
            var request = new CheckInRequest { Health = new Health { Status = "ok" } };
            request.Software.AddRange(software.Select(s => new Software { Name = s.Name, Version = s.Version }));
            await client.CallAsync("CheckIn", request, CheckInResponse.Parser, cancellationToken: Ct);
        }
        return device;
    }

    /// <summary>The admin's session sets a branding for the fixture team (tests that need one call this; all set the same one).</summary>
    private async Task<(byte R, byte G, byte B)> BrandAsync()
    {
        using var put = await fixture.Sessions["admin"].PutAsJsonAsync("/rollouts/api/v1/report-branding",
            new { name = "Acme Kiosk Fleet", primaryColor = "#8E44AD", accentColor = "#16A085" }, Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return (0x8E, 0x44, 0xAD);
    }

    private static async Task<byte[]> PdfAsync(HttpClient client, string path, bool viaAccept = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/rollouts/api/v1" + path + (viaAccept ? "" : (path.Contains('?') ? "&" : "?") + "format=pdf"));
        if (viaAccept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/pdf"));
        using var response = await client.SendAsync(request, Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(bytes)}");
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        return bytes;
    }

    [Fact]
    public async Task Branding_is_validated_stored_per_team_and_its_logo_served_in_its_own_type()
    {
        using var admin = fixture.Key("admin");
        using var viewer = fixture.Key("viewer");
        var logo = Png.Solid(40, 20, (0x10, 0x20, 0x30));

        using var bad = await admin.PutAsJsonAsync("/rollouts/api/v1/report-branding", new { name = "", primaryColor = "red", accentColor = "#12345G" }, Ct);
        var problem = await bad.Content.ReadFromJsonAsync<JsonObject>(Ct);
        using var notImage = await admin.PutAsync("/rollouts/api/v1/report-branding/logo", new ByteArrayContent("GIF89a...."u8.ToArray()), Ct);
        using var content = new ByteArrayContent(logo);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var upload = await admin.PutAsync("/rollouts/api/v1/report-branding/logo", content, Ct);
        using var download = await viewer.GetAsync("/rollouts/api/v1/report-branding/logo", Ct);
        var view = await viewer.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/report-branding", Ct);
        using var viewerWrite = await viewer.PutAsJsonAsync("/rollouts/api/v1/report-branding", new { name = "x" }, Ct);
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamAdminKey);
        var otherView = await other.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/report-branding", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull(problem!["errors"]!["name"]);
        Assert.NotNull(problem["errors"]!["primaryColor"]);
        Assert.NotNull(problem["errors"]!["accentColor"]);
        Assert.Equal(HttpStatusCode.BadRequest, notImage.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, upload.StatusCode);
        Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(logo, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.True((bool)view!["hasLogo"]!);
        Assert.Equal(HttpStatusCode.Forbidden, viewerWrite.StatusCode);
        Assert.Equal("Edgeplane", (string)otherView!["name"]!);
        Assert.False((bool)otherView["hasLogo"]!);
    }

    [Fact]
    public async Task The_readiness_report_counts_versions_per_device_type_and_lists_out_of_date_devices_as_json_and_branded_pdf()
    {
        var type = "kiosk" + Guid.NewGuid().ToString("N")[..5];
        var current = await EnrollAsync(type, ("firmware", "2.10.0"), ("app", "1.0.0"));
        var stale = await EnrollAsync(type, ("firmware", "2.9.3"), ("app", "1.0.0"));
        var stale2 = await EnrollAsync(type, ("firmware", "2.9.3"));
        var pending = await EnrollAsync(type);
        var primary = await BrandAsync();
        using var viewer = fixture.Key("viewer");

        var report = await viewer.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/reports/readiness", Ct);
        var pdf = await PdfAsync(viewer, "/reports/readiness");
        var viaAccept = await PdfAsync(viewer, "/reports/readiness", viaAccept: true);

        var entry = report!["deviceTypes"]!.AsArray().Single(t => (string)t!["deviceType"]! == type)!;
        Assert.Equal(4, (int)entry["devices"]!);
        Assert.Equal(3, (int)entry["online"]! + (int)entry["offline"]!); // the fixture's check-in interval is 1 s: "online" is timing-dependent
        Assert.Equal(1, (int)entry["pending"]!);
        Assert.Equal(2, (int)entry["outOfDate"]!);
        var firmware = entry["software"]!.AsArray().Single(s => (string)s!["name"]! == "firmware")!;
        Assert.Equal("2.10.0", (string)firmware["target"]!); // numeric ordering: 2.10 > 2.9
        Assert.Equal("fleet", (string)firmware["targetSource"]!);
        Assert.Equal(["2.10.0:1", "2.9.3:2"], firmware["versions"]!.AsArray().Select(v => $"{v!["version"]}:{v["devices"]}").ToArray());
        var outOfDate = report["outOfDateDevices"]!.AsArray().Where(o => (string)o!["deviceType"]! == type).Select(o => (string)o!["device"]!).Order().ToArray();
        Assert.Equal(new[] { stale.Name, stale2.Name }.Order(), outOfDate);
        Assert.DoesNotContain(current.Name, outOfDate);
        Assert.DoesNotContain(pending.Name, outOfDate);

        var dir = fixture.Work.Combine("pdf");
        var page = await Poppler.RenderAsync(pdf, dir);
        var text = await Poppler.TextAsync(pdf, dir);
        Assert.True(page.Count(p => p is { R: > 250, G: > 250, B: > 250 }) < page.Width * page.Height * 0.95, "the page is blank");
        Assert.True(page.Count(p => Png.Near(p, primary)) > page.Width * 20, "the branding colour is missing");
        Assert.Contains("Acme Kiosk Fleet", text);
        Assert.Contains("Fleet readiness report", text);
        Assert.Contains(stale.Name, text);
        Assert.Contains(type, text);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(viaAccept, 0, 5));
    }

    [Fact]
    public async Task An_incident_report_renders_one_incident_with_its_timeline_and_a_period()
    {
        var device = await EnrollAsync("increp", ("firmware", "1.0.0"));
        await BrandAsync();
        using var op = fixture.Key("operator");
        using var created = await op.PostAsJsonAsync("/rollouts/api/v1/incidents",
            new { title = "Watchdog resets in hall 3", description = "Three kiosks rebooted every ten minutes.", severity = "critical", devices = new[] { device.Name } }, Ct);
        var incident = await created.Content.ReadFromJsonAsync<JsonObject>(Ct);
        var id = (string)incident!["id"]!;
        using var patch = await op.PatchAsJsonAsync($"/rollouts/api/v1/incidents/{id}", new { status = "resolved", note = "watchdog timeout raised" }, Ct);
        using var viewer = fixture.Key("viewer");

        var json = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/reports/incidents/{id}", Ct);
        var pdf = await PdfAsync(viewer, $"/reports/incidents/{id}");
        var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));
        var period = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/reports/incidents?from={from}", Ct);
        var periodPdf = await PdfAsync(viewer, $"/reports/incidents?from={from}");
        using var missing = await viewer.GetAsync("/rollouts/api/v1/reports/incidents/nope?format=pdf", Ct);
        using var badFormat = await viewer.GetAsync("/rollouts/api/v1/reports/readiness?format=docx", Ct);
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamAdminKey);
        using var otherTeam = await other.GetAsync($"/rollouts/api/v1/reports/incidents/{id}", Ct);

        Assert.Equal(1, (int)json!["byStatus"]!["resolved"]!);
        Assert.Equal(["created", "status_changed"], json["incidents"]![0]!["timeline"]!.AsArray().Select(e => (string)e!["kind"]!).ToArray());
        Assert.Contains(period!["incidents"]!.AsArray(), i => (string)i!["id"]! == id);
        var text = await Poppler.TextAsync(pdf, fixture.Work.Combine("pdf"));
        Assert.Contains("Watchdog resets in hall 3", text);
        Assert.Contains(device.Name, text);
        Assert.Contains("watchdog timeout raised", text);
        Assert.Contains("open -> resolved", text);
        Assert.Contains("Watchdog resets in hall 3", await Poppler.TextAsync(periodPdf, fixture.Work.Combine("pdf")));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherTeam.StatusCode);
    }

    [Fact]
    public async Task An_osv_export_is_imported_listed_replaced_and_refused_when_malformed()
    {
        using var op = fixture.Key("operator");
        var id = "GHSA-test-" + Guid.NewGuid().ToString("N")[..6];
        var record = $$"""
        { "id": "{{id}}", "summary": "Heap overflow in zlib inflate", "aliases": ["CVE-2022-37434"],
          "severity": [{ "type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
          "affected": [{ "package": { "ecosystem": "Debian", "name": "zlib" }, "ranges": [{ "type": "ECOSYSTEM", "events": [{ "introduced": "0" }, { "fixed": "1.2.13" }] }] }] }
        """;

        using var first = await op.PostAsync("/rollouts/api/v1/vulnerabilities", new StringContent($$"""{ "vulns": [{{record}}] }""", System.Text.Encoding.UTF8, "application/json"), Ct);
        using var again = await op.PostAsync("/rollouts/api/v1/vulnerabilities", new StringContent(record, System.Text.Encoding.UTF8, "application/json"), Ct);
        using var bad = await op.PostAsync("/rollouts/api/v1/vulnerabilities", new StringContent("""[{ "summary": "no id" }]""", System.Text.Encoding.UTF8, "application/json"), Ct);
        using var notJson = await op.PostAsync("/rollouts/api/v1/vulnerabilities", new StringContent("{", System.Text.Encoding.UTF8, "application/json"), Ct);
        var list = await op.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/vulnerabilities?severity=critical&limit=500", Ct);
        var report = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>("/rollouts/api/v1/reports/vulnerabilities", Ct);
        var pdf = await PdfAsync(fixture.Key("viewer"), "/reports/vulnerabilities");
        using var delete = await op.DeleteAsync($"/rollouts/api/v1/vulnerabilities/{id}", Ct);
        using var viewerImport = await fixture.Key("viewer").PostAsync("/rollouts/api/v1/vulnerabilities", new StringContent(record, System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(1, (int)(await first.Content.ReadFromJsonAsync<JsonObject>(Ct))!["created"]!);
        Assert.Equal(1, (int)(await again.Content.ReadFromJsonAsync<JsonObject>(Ct))!["replaced"]!);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        var listed = list!["items"]!.AsArray().Single(v => (string)v!["id"]! == id)!;
        Assert.Equal("critical", (string)listed["severity"]!);
        Assert.Equal("CVE-2022-37434", (string)listed["aliases"]![0]!);
        Assert.True((int)report!["summary"]!["vulnerabilities"]! >= 1);
        Assert.Contains("Vulnerability report", await Poppler.TextAsync(pdf, fixture.Work.Combine("pdf")));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerImport.StatusCode);
    }
}
