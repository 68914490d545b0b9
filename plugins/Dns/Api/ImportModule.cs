using System.Net;
using Edgeplane.Abstractions.Network;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>
/// Imports a zone from an RFC 1035 master file or by AXFR from an existing primary, in one transaction with one serial
/// bump: every line is checked as a single add is, and any refused line refuses the whole import (a per-line report).
/// </summary>
public sealed class ImportModule : ICarterModule
{
    /// <summary>At most this many refused lines are listed (the count says how many there were).</summary>
    private const int MaxReportedLines = 1000;

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(SeedAnswer.Filter).AddEndpointFilter(UserAcl.Filter).ValidateRequestsHere();

        // The master file as the body (Content-Type text/dns or text/plain, ?mode=), or fields {zonefile, mode}.
        api.MapPost("/zone/{zone}/import", async Task<IResult> (string zone, ZoneFileBody body, [FromQuery(Name = "mode")] string? queryMode, ICaller caller,
            ZoneStore store, ZoneViewProvider views, BulkLimits limits, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            if (string.IsNullOrWhiteSpace(body.Zonefile)) return Problems.Field("zonefile", "is required: the zone's RFC 1035 master file");
            return await ImportAsync(row, body.Zonefile, body.IsText ? queryMode : body.Mode, "zonefile", "file", store, views, limits, audit, ct);
        }).WithSummary("Import an RFC 1035 master file into the zone").Produces<ImportResult>().RequirePermission("dns.zones.write");

        api.MapPost("/zone/{zone}/import/axfr", async Task<IResult> (string zone, Body<AxfrImport> request, ICaller caller, ZoneStore store, ZoneViewProvider views,
            BulkLimits limits, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            if (string.IsNullOrWhiteSpace(request.Value.Primary)) return Problems.Field("primary", "is required");
            var primaryText = request.Value.Primary.Trim();
            var mode = request.Value.Mode;
            if (Primary(primaryText) is not { } primary) return Problems.Field("primary", "must be an IP address with an optional port (192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53)");
            if (!limits.MayImportFrom(primary.Address))
                return Problems.Field("primary", $"the operator has not allowed AXFR import from {primary.Address} (setting ImportPrimaries)");
            string text;
            try
            {
                text = await AxfrClient.TransferAsync(primary, row.Name, limits.MaxImportRecords, TimeSpan.FromSeconds(limits.ImportTimeoutSeconds), ct);
            }
            catch (AxfrException e)
            {
                return e.TooLarge ? TooLarge("primary", e.Message) : Problems.Field("primary", $"AXFR of {row.Name} from {primary}: {e.Message}");
            }
            return await ImportAsync(row, text, mode, "primary", "axfr " + primary, store, views, limits, audit, ct);
        }).WithSummary("Import the zone by AXFR from an allowed primary").Produces<ImportResult>().RequirePermission("dns.zones.write");
    }

    private static async Task<IResult> ImportAsync(ZoneRow row, string text, string? modeText, string field, string source,
        ZoneStore store, ZoneViewProvider views, BulkLimits limits, IAuditLog audit, CancellationToken ct)
    {
        var mode = string.IsNullOrWhiteSpace(modeText) ? "merge" : modeText.Trim().ToLowerInvariant();
        if (mode is not ("merge" or "replace")) return Problems.Field("mode", "must be merge (add the file's records to the zone's) or replace (the zone becomes the file)");
        var file = MasterFileReader.Read(text, row.Name);
        if (file.Records.Count > limits.MaxImportRecords)
            return TooLarge(field, $"{file.Records.Count} records: at most {limits.MaxImportRecords} per import (MaxImportRecords)");

        var refused = new List<LineNote>(file.Errors);
        var skipped = new List<LineNote>(file.Skipped);
        var trail = new WriteAudit(audit.InTransaction(StatusCodes.Status200OK), "dns.zone.import", row.Name,
            done => new { source, mode, records = file.Records.Count, removed = done.Removed.Count, added = done.Added.Count, done.Serial });
        var write = await store.WriteRecordsAsync(row, RecordChangeSet.Applying(changes =>
        {
            if (mode == "replace")
                foreach (var record in changes.Records.ToList()) changes.Delete(record.Index);
            foreach (var record in file.Records)
            {
                var result = changes.Add(record.Input, ttlGiven: true);
                if (result.Outcome == ChangeOutcome.Duplicate)
                    skipped.Add(new LineNote(record.Line, record.Text, mode == "replace" ? "repeats an earlier record of the file" : "already in the zone"));
                else if (!result.Applied)
                    refused.Add(new LineNote(record.Line, record.Text, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))));
            }
            return refused.Count == 0;
        }), trail, ct);
        if (write is null) return Problems.NotFound("Zone");
        if (refused.Count > 0)
        {
            var lines = refused.OrderBy(l => l.Line).Take(MaxReportedLines).ToList();
            return Problems.Errors(400, $"The import was refused: {refused.Count} line{(refused.Count == 1 ? "" : "s")} cannot be imported; nothing was changed",
                new Dictionary<string, List<string>> { [field] = lines.Select(l => $"line {l.Line}: {l.Reason}").ToList() },
                new Dictionary<string, object?> { ["lines"] = lines.Select(l => new { line = l.Line, text = l.Text, reason = l.Reason }), ["refusedLines"] = refused.Count });
        }
        if (write.Changed) views.Poke();
        return TypedResults.Ok(new ImportResult(row.Name, write.Serial, mode, file.Records.Count, write.Added.Count, write.Removed.Count, skipped.OrderBy(l => l.Line).ToList()));
    }

    private static IResult TooLarge(string field, string message) =>
        Problems.Errors(StatusCodes.Status413PayloadTooLarge, "The import is over the limits", new Dictionary<string, List<string>> { [field] = [message] });

    /// <summary><c>address</c> or <c>address:port</c> (IPv6 in brackets with a port); port 53 by default.</summary>
    private static IPEndPoint? Primary(string text)
    {
        if (IpText.TryParseAddress(text.Trim('[', ']'), out var address)) return new IPEndPoint(address, 53);
        try
        {
            return DnsServerOptions.ParseEndpoint(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
