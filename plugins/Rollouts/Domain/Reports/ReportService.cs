using System.Globalization;
using System.Text.Json;
using Edgeplane.Plugins.Rollouts.Data.Evidence;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Edgeplane.Plugins.Rollouts.Data.Reports;
using Edgeplane.Plugins.Rollouts.Domain.Evidence;

namespace Edgeplane.Plugins.Rollouts.Domain.Reports;

public sealed record VersionCount(string Version, int Devices);
public sealed record SoftwareVersions(string Name, string? Target, string? TargetSource, IReadOnlyList<VersionCount> Versions);
public sealed record DeviceTypeReadiness(string DeviceType, int Devices, int Online, int Offline, int Pending, int OutOfDate, IReadOnlyList<SoftwareVersions> Software);
public sealed record OutOfDateDevice(string Device, string DeviceType, string Software, string Installed, string Target, string TargetSource, string Status);
public sealed record FailedInstall(string RolloutId, string Device, string DeviceType, string Message, DateTimeOffset At);
public sealed record ReadinessSummary(int Devices, int Online, int Offline, int Pending, int UpToDate, int OutOfDate, int FailedInstalls);
public sealed record ReadinessReport(DateTimeOffset GeneratedAt, ReadinessSummary Summary, IReadOnlyList<DeviceTypeReadiness> DeviceTypes,
    IReadOnlyList<OutOfDateDevice> OutOfDateDevices, IReadOnlyList<FailedInstall> FailedInstalls, IReadOnlyList<string> Notes);

public sealed record VulnerableComponent(string Vulnerability, string Severity, string Summary, IReadOnlyList<string> Aliases, string Component, string Version,
    string? Purl, string ArtifactId, string Artifact, IReadOnlyList<string> FixedIn, int DevicesRunningArtifact);
public sealed record VulnerabilitySummary(int Vulnerabilities, int Components, int Artifacts, int Findings, IReadOnlyDictionary<string, int> BySeverity, int AffectedArtifacts);
public sealed record VulnerabilityReport(DateTimeOffset GeneratedAt, VulnerabilitySummary Summary, IReadOnlyList<VulnerableComponent> Findings, IReadOnlyList<string> Notes);

public sealed record IncidentReport(DateTimeOffset GeneratedAt, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyDictionary<string, int> BySeverity, IReadOnlyList<IncidentView> Incidents);

/// <summary>
/// The evidence reports, computed on request from what <see cref="ReportFacts"/> reads; a part the database cannot give
/// is empty and named in <c>notes</c>.
/// </summary>
public sealed class ReportService(ReportFacts facts, IncidentStore incidents, VulnerabilityStore vulnerabilities, RolloutsOptions options, TimeProvider clock)
{
    public static readonly string[] SeverityOrder = ["critical", "high", "medium", "low", "none", "unknown"];

    /// <summary>Device types an artifact targets: a JSON array, or a comma-separated list; empty = every type.</summary>
    internal static IReadOnlyList<string> DeviceTypesOf(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return [];
        if (value.TrimStart().StartsWith('['))
        {
            try { return JsonSerializer.Deserialize<List<string>>(value) ?? []; }
            catch (JsonException) { return []; }
        }
        return value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public async Task<ReadinessReport> ReadinessAsync(string teamId)
    {
        var now = clock.GetUtcNow();
        var onlineSince = now - 3 * options.CheckInInterval;
        var (devices, artifacts, failedFacts, notes) = await facts.ReadinessAsync(teamId);
        var failed = failedFacts.Select(f => new FailedInstall(f.RolloutId, f.Device, f.DeviceType, f.Message, f.At)).ToList();

        string Status(DeviceFacts d) => d.LastSeenAt is null ? "pending" : d.LastSeenAt >= onlineSince ? "online" : "offline";
        var software = devices.ToDictionary(d => d.Id, d => d.Software);

        var types = new List<DeviceTypeReadiness>();
        var outOfDate = new List<OutOfDateDevice>();
        foreach (var group in devices.GroupBy(d => d.DeviceType).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var type = group.Key;
            var items = new List<SoftwareVersions>();
            var stale = new HashSet<string>();
            foreach (var name in group.SelectMany(d => software[d.Id]).Select(s => s.Name).Distinct().Order(StringComparer.Ordinal))
            {
                var installed = group.Select(d => (Device: d, Item: software[d.Id].FirstOrDefault(s => s.Name == name))).Where(x => x.Item is not null).ToList();
                // The target: the newest published artifact of that name for this device type, else the newest version the type's devices run.
                var published = artifacts.Where(a => a.Name == name && (DeviceTypesOf(a.DeviceTypes) is var t && (t.Count == 0 || t.Contains(type))))
                    .Select(a => a.Version).Max(VersionComparer.Instance);
                var (target, source) = published is not null ? (published, "artifact") : (installed.Select(x => x.Item!.Version).Max(VersionComparer.Instance), "fleet");
                foreach (var (device, item) in installed)
                {
                    if (target is null || VersionComparer.Instance.Compare(item!.Version, target) >= 0) continue;
                    stale.Add(device.Id);
                    outOfDate.Add(new OutOfDateDevice(device.Name, type, name, item.Version, target, source, Status(device)));
                }
                var versions = installed.GroupBy(x => x.Item!.Version).Select(g => new VersionCount(g.Key, g.Count()))
                    .OrderByDescending(v => v.Version, VersionComparer.Instance).ToList();
                items.Add(new SoftwareVersions(name, target, target is null ? null : source, versions));
            }
            types.Add(new DeviceTypeReadiness(type, group.Count(), group.Count(d => Status(d) == "online"), group.Count(d => Status(d) == "offline"),
                group.Count(d => Status(d) == "pending"), stale.Count, items));
        }
        var outOfDateDevices = outOfDate.Select(o => o.Device).Distinct().Count();
        var summary = new ReadinessSummary(devices.Count, devices.Count(d => Status(d) == "online"), devices.Count(d => Status(d) == "offline"),
            devices.Count(d => Status(d) == "pending"), devices.Count - outOfDateDevices, outOfDateDevices, failed.Count);
        return new ReadinessReport(now, summary, types, outOfDate.OrderBy(o => o.DeviceType).ThenBy(o => o.Device).ThenBy(o => o.Software).ToList(), failed, [.. notes]);
    }

    public async Task<VulnerabilityReport> VulnerabilitiesAsync(string teamId)
    {
        var records = await vulnerabilities.AllAsync(teamId);
        var (components, devices, read) = await facts.ComponentsAsync(teamId);
        var notes = read.ToList();
        if (records.Count == 0) notes.Add("no vulnerability list imported (POST /api/v1/vulnerabilities with an OSV export)");
        int Running(string name, string version) => devices.Count(list => list.Any(s => s.Name == name && s.Version == version));

        var findings = new List<VulnerableComponent>();
        var distinct = components.DistinctBy(c => (c.ArtifactId, c.Name, c.Version, c.Purl)).ToList();
        foreach (var component in distinct)
        {
            var candidate = new Component(component.Name, component.Version, component.Purl);
            foreach (var record in records)
            {
                if (Osv.Match(record, candidate) is not { } fixes) continue;
                findings.Add(new VulnerableComponent(record.Id, record.Severity, record.Summary, record.Aliases, component.Name, component.Version, component.Purl,
                    component.ArtifactId, $"{component.ArtifactName}@{component.ArtifactVersion}", fixes, Running(component.ArtifactName, component.ArtifactVersion)));
            }
        }
        findings = findings.OrderBy(f => Array.IndexOf(SeverityOrder, f.Severity)).ThenBy(f => f.Vulnerability).ThenBy(f => f.Artifact).ThenBy(f => f.Component).ToList();
        var bySeverity = SeverityOrder.ToDictionary(s => s, s => findings.Count(f => f.Severity == s));
        var summary = new VulnerabilitySummary(records.Count, distinct.Count, distinct.Select(c => c.ArtifactId).Distinct().Count(), findings.Count, bySeverity,
            findings.Select(f => f.ArtifactId).Distinct().Count());
        return new VulnerabilityReport(clock.GetUtcNow(), summary, findings, notes);
    }

    public async Task<IncidentReport> IncidentsAsync(string teamId, DateTimeOffset? from, DateTimeOffset? to, string? id)
    {
        IReadOnlyList<IncidentView> list;
        if (id is not null)
            list = await incidents.FindAsync(teamId, id) is { } row ? [await incidents.ViewAsync(row)] : [];
        else
            list = await incidents.InPeriodAsync(teamId, from, to);
        return new IncidentReport(clock.GetUtcNow(), from, to,
            IncidentStore.Statuses.ToDictionary(s => s, s => list.Count(i => i.Status == s)),
            IncidentStore.Severities.ToDictionary(s => s, s => list.Count(i => i.Severity == s)), list);
    }

    // PDF renderings ---------------------------------------------------------------------------

    private static string Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "-";

    public static byte[] Pdf(ReadinessReport r, Branding branding)
    {
        using var pdf = new PdfReport(branding, "Fleet readiness report", r.GeneratedAt);
        pdf.Heading("Summary");
        pdf.KeyValues([
            ("Devices", $"{r.Summary.Devices} ({r.Summary.Online} online, {r.Summary.Offline} offline, {r.Summary.Pending} never checked in)"),
            ("Up to date", r.Summary.UpToDate.ToString(CultureInfo.InvariantCulture)),
            ("Out of date", r.Summary.OutOfDate.ToString(CultureInfo.InvariantCulture)),
            ("Failed installs", r.Summary.FailedInstalls.ToString(CultureInfo.InvariantCulture)),
        ]);
        foreach (var note in r.Notes) pdf.Paragraph("Note: " + note, 9);
        pdf.Heading("Versions per device type");
        pdf.Table(["Device type", "Software", "Target", "Installed versions (devices)"], [0.18, 0.2, 0.17, 0.45],
            r.DeviceTypes.SelectMany(t => t.Software.Count == 0
                ? [(IReadOnlyList<string>)[t.DeviceType, "(no software reported)", "", $"{t.Devices} devices"]]
                : t.Software.Select(s => (IReadOnlyList<string>)[t.DeviceType, s.Name, s.Target is null ? "-" : $"{s.Target} ({s.TargetSource})",
                    string.Join(", ", s.Versions.Select(v => $"{v.Version} ({v.Devices})"))])));
        pdf.Table(["Device type", "Devices", "Online", "Offline", "Pending", "Out of date"], [0.3, 0.14, 0.14, 0.14, 0.14, 0.14],
            r.DeviceTypes.Select(t => (IReadOnlyList<string>)[t.DeviceType, N(t.Devices), N(t.Online), N(t.Offline), N(t.Pending), N(t.OutOfDate)]));
        pdf.Heading("Out-of-date devices");
        pdf.Table(["Device", "Type", "Software", "Installed", "Target", "Status"], [0.25, 0.14, 0.17, 0.15, 0.17, 0.12],
            r.OutOfDateDevices.Select(o => (IReadOnlyList<string>)[o.Device, o.DeviceType, o.Software, o.Installed, o.Target, o.Status]));
        pdf.Heading("Failed installs");
        pdf.Table(["When", "Rollout", "Device", "Type", "Message"], [0.17, 0.2, 0.2, 0.13, 0.3],
            r.FailedInstalls.Select(f => (IReadOnlyList<string>)[Time(f.At), f.RolloutId, f.Device, f.DeviceType, f.Message]));
        return pdf.Build();
    }

    public static byte[] Pdf(VulnerabilityReport r, Branding branding)
    {
        using var pdf = new PdfReport(branding, "Vulnerability report", r.GeneratedAt);
        pdf.Heading("Summary");
        pdf.KeyValues([
            ("Vulnerabilities imported", N(r.Summary.Vulnerabilities)),
            ("SBOM components checked", $"{r.Summary.Components} in {r.Summary.Artifacts} artifacts"),
            ("Findings", $"{r.Summary.Findings} in {r.Summary.AffectedArtifacts} artifacts"),
            ("By severity", string.Join(", ", r.Summary.BySeverity.Where(s => s.Value > 0).Select(s => $"{s.Key} {s.Value}")) is { Length: > 0 } s ? s : "none"),
        ]);
        foreach (var note in r.Notes) pdf.Paragraph("Note: " + note, 9);
        pdf.Heading("Findings");
        pdf.Table(["Severity", "Vulnerability", "Component", "Version", "Artifact", "Fixed in", "Devices"], [0.1, 0.19, 0.18, 0.1, 0.2, 0.14, 0.09],
            r.Findings.Select(f => (IReadOnlyList<string>)[f.Severity, f.Vulnerability, f.Component, f.Version, f.Artifact,
                f.FixedIn.Count == 0 ? "-" : string.Join(", ", f.FixedIn), N(f.DevicesRunningArtifact)]));
        foreach (var f in r.Findings.DistinctBy(f => f.Vulnerability))
            pdf.Paragraph($"{f.Vulnerability}{(f.Aliases.Count > 0 ? " (" + string.Join(", ", f.Aliases) + ")" : "")}: {f.Summary}", 9);
        return pdf.Build();
    }

    public static byte[] Pdf(IncidentReport r, Branding branding)
    {
        using var pdf = new PdfReport(branding, r.Incidents.Count == 1 && r.From is null && r.To is null ? "Incident report: " + r.Incidents[0].Title : "Incident report", r.GeneratedAt);
        pdf.Heading("Summary");
        pdf.KeyValues([
            ("Period", r.From is null && r.To is null ? "all" : $"{Time(r.From)} to {Time(r.To)}"),
            ("Incidents", N(r.Incidents.Count)),
            ("By status", string.Join(", ", r.ByStatus.Where(s => s.Value > 0).Select(s => $"{s.Key} {s.Value}")) is { Length: > 0 } st ? st : "none"),
            ("By severity", string.Join(", ", r.BySeverity.Where(s => s.Value > 0).Select(s => $"{s.Key} {s.Value}")) is { Length: > 0 } sv ? sv : "none"),
        ]);
        pdf.Table(["Occurred", "Title", "Severity", "Status", "Devices"], [0.2, 0.42, 0.12, 0.14, 0.12],
            r.Incidents.Select(i => (IReadOnlyList<string>)[Time(i.OccurredAt), i.Title, i.Severity, i.Status, N(i.Devices.Count)]));
        foreach (var i in r.Incidents)
        {
            pdf.Heading(i.Title);
            pdf.KeyValues([
                ("Id", i.Id), ("Severity", i.Severity), ("Status", i.Status), ("Occurred", Time(i.OccurredAt)), ("Resolved", Time(i.ResolvedAt)),
                ("Reported by", i.CreatedBy ?? "-"),
                ("Devices", i.Devices.Count == 0 ? "-" : string.Join(", ", i.Devices.Select(d => d.Label))),
                ("Artifacts", i.Artifacts.Count == 0 ? "-" : string.Join(", ", i.Artifacts.Select(a => a.Label))),
            ]);
            if (i.Description.Length > 0) pdf.Paragraph(i.Description);
            pdf.Table(["When", "Who", "What", "Details"], [0.2, 0.15, 0.15, 0.5],
                (i.Timeline ?? []).Select(e => (IReadOnlyList<string>)[Time(e.At), e.Actor ?? "-", e.Kind, Describe(e)]));
        }
        return pdf.Build();
    }

    private static string Describe(IncidentEvent e)
    {
        var parts = new List<string>();
        if (e.Details?["changes"] is System.Text.Json.Nodes.JsonObject changes)
            parts.AddRange(changes.Select(c => $"{c.Key}: {c.Value?["from"]} -> {c.Value?["to"]}"));
        if (e.Details?["note"] is { } note && note.GetValueKind() == JsonValueKind.String) parts.Add("note: " + (string)note!);
        foreach (var key in new[] { "device", "artifact" })
            if (e.Details?[key] is { } v) parts.Add($"{key}: {v}");
        return string.Join("; ", parts);
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
