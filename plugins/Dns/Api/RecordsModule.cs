using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Model;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>Records: list, add, delete by stable index.</summary>
public sealed class RecordsModule : ICarterModule
{
    public static object RecordJson(string zone, DnsRecord r) => new
    {
        index = r.Index,
        label = r.Name,
        name = DnsNames.Absolute(r.Name, zone) + ".",
        type = r.Type,
        ttl = r.Ttl,
        value = r.Value,
        priority = r.Priority,
        weight = r.Weight,
        port = r.Port,
        flags = r.Flags,
        tag = r.Tag,
        rdata = r.Presentation(),
    };

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(UserAcl.Filter);

        api.MapGet("/zone/{zone}/records", async Task<IResult> (string zone, ICaller caller, DnsStore store, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            var records = await store.ListRecordsAsync(row.Id, ct);
            return TypedResults.Ok(new { zone = row.Name, serial = row.Serial, records = records.Select(r => RecordJson(row.Name, r)) });
        }).RequirePermission("dns.zones.read");

        api.MapPost("/zone/{zone}/add", async Task<IResult> (string zone, HttpRequest request, ICaller caller, DnsStore store, ZoneViewProvider views, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            var fields = await Fields.ReadAsync(request);
            var input = new RecordInput(fields.String("label"), fields.String("type"), fields.Int("ttl"), fields.String("value"),
                fields.Int("priority"), fields.Int("weight"), fields.Int("port"), fields.Int("flags"), fields.String("tag"));
            if (fields.Errors.Any) return fields.Errors.ToProblem();
            var errors = new Dictionary<string, List<string>>();
            if (RecordValidator.Validate(row.Name, input, errors) is null) return Problems.Errors(errors);
            var (outcome, stored, conflicts) = await store.AddRecordAsync(row.Id, input, ct);
            switch (outcome)
            {
                case DnsStore.AddOutcome.ZoneGone: return Problems.NotFound("Zone");
                case DnsStore.AddOutcome.Duplicate: return Problems.Conflict("an identical record already exists");
                case DnsStore.AddOutcome.Conflict: return Problems.Errors(conflicts);
                case DnsStore.AddOutcome.Refused: return Problems.Conflict(conflicts);
            }
            views.Poke();
            await audit.RecordAsync("dns.record.add", row.Name, new { stored!.Index, stored.Name, stored.Type, rdata = stored.Presentation() }, ct);
            return TypedResults.Created(request.HttpContext.PluginLink($"/api/zone/{row.Name}/records"), RecordJson(row.Name, stored));
        }).RequirePermission("dns.zones.write");

        api.MapPost("/zone/{zone}/delete_record/{index}", async Task<IResult> (string zone, string index, ICaller caller, DnsStore store, ZoneViewProvider views, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            if (!int.TryParse(index, out var i) || i < 1) return Problems.Field("index", "must be a positive integer (see /zone/[ZONE]/records)");
            if (!await store.DeleteRecordAsync(row.Id, i, ct)) return Problems.NotFound("Record");
            views.Poke();
            await audit.RecordAsync("dns.record.delete", row.Name, new { index = i }, ct);
            return TypedResults.Ok(new { message = $"record {i} deleted from {row.Name}" });
        }).RequirePermission("dns.zones.write");
    }
}
