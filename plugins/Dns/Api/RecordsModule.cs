using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>Records: list, add, delete by stable index.</summary>
public sealed class RecordsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(SeedAnswer.Filter).AddEndpointFilter(UserAcl.Filter).ValidateRequestsHere();

        api.MapGet("/zone/{zone}/records", async Task<IResult> (string zone, HttpContext http, ICaller caller, ZoneStore store, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            var records = await store.ListRecordsAsync(row.Id, ct);
            if (http.IsSeedProfile()) return SeedAnswer.Ok(SeedForms.Records(row.Name, records), new { zone = row.Name, serial = row.Serial });
            return TypedResults.Ok(new RecordList(row.Name, row.Serial, records.Select(r => RecordView.From(row.Name, r)).ToList()));
        }).WithSummary("The zone's records").Produces<RecordList>().RequirePermission("dns.zones.read");

        api.MapPost("/zone/{zone}/add", async Task<IResult> (string zone, Body<NewRecord> request, HttpContext http, ICaller caller, ZoneStore store, ZoneViewProvider views, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            var input = request.Value.ToInput();
            var seedErrors = new FieldErrors();
            if (http.IsSeedProfile()) input = SeedForms.Input(row.Name, input, seedErrors);
            if (seedErrors.Any) return seedErrors.ToProblem();
            var errors = new Dictionary<string, List<string>>();
            if (RecordValidator.Validate(row.Name, input, errors) is null) return Problems.Errors(errors);
            ChangeResult? result = null;
            var trail = audit.InTransaction(http.IsSeedProfile() ? StatusCodes.Status200OK : StatusCodes.Status201Created);
            var write = await store.WriteRecordsAsync(row, RecordChangeSet.Applying(changes => (result = changes.Add(input, ttlGiven: input.Ttl is not null)).Applied),
                new WriteAudit(trail, "dns.record.add", row.Name, _ => new { result!.Record!.Index, result.Record.Name, result.Record.Type, rdata = result.Record.Presentation() }), ct);
            if (write is null) return Problems.NotFound("Zone");
            switch (result!.Outcome)
            {
                case ChangeOutcome.Duplicate: return Problems.Conflict("an identical record already exists");
                case ChangeOutcome.Refused: return Problems.Conflict(result.Errors);
                case not ChangeOutcome.Applied: return Problems.Errors(result.Errors);
            }
            views.Poke();
            var record = result.Record!;
            if (http.IsSeedProfile())
            {
                var position = (await store.ListRecordsAsync(row.Id, ct)).FindIndex(r => r.Index == record.Index);
                return SeedAnswer.Ok("Record added to " + row.Name, SeedForms.Record(row.Name, record, position));
            }
            return TypedResults.Created(http.PluginLink($"/api/zone/{row.Name}/records"), RecordView.From(row.Name, record));
        }).WithSummary("Add a record").Produces<RecordView>(StatusCodes.Status201Created).RequirePermission("dns.zones.write");

        api.MapPost("/zone/{zone}/delete_record/{index}", async Task<IResult> (string zone, string index, HttpContext http, ICaller caller, ZoneStore store, ZoneViewProvider views, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            if (http.IsSeedProfile()) return await DeleteAtPositionAsync(row, index, store, views, audit, ct);
            if (!int.TryParse(index, out var i) || i < 1) return Problems.Field("index", "must be a positive integer (see /zone/[ZONE]/records)");
            var trail = new WriteAudit(audit.InTransaction(StatusCodes.Status200OK), "dns.record.delete", row.Name, _ => new { index = i });
            if (await store.WriteRecordsAsync(row, RecordChangeSet.Applying(changes => changes.Delete(i).Applied), trail, ct) is not { Changed: true })
                return Problems.NotFound("Record");
            views.Poke();
            return TypedResults.Ok(new Done($"record {i} deleted from {row.Name}"));
        }).WithSummary("Delete the record with that index").TakesNoBody().Produces<Done>().RequirePermission("dns.zones.write");
    }

    /// <summary>The seed's delete: the index is the record's position in the list (from 0), resolved in the write's transaction.</summary>
    private static async Task<IResult> DeleteAtPositionAsync(ZoneRow row, string index, ZoneStore store, ZoneViewProvider views, IAuditLog audit, CancellationToken ct)
    {
        if (!int.TryParse(index, out var position) || position < 0)
            return Problems.Field("index", "must be a record's position in the list, from 0 (see /zone/[ZONE]/records)");
        DnsRecord? deleted = null;
        var trail = new WriteAudit(audit.InTransaction(StatusCodes.Status200OK), "dns.record.delete", row.Name, _ => new { index = deleted!.Index, position });
        var write = await store.WriteRecordsAsync(row, RecordChangeSet.Applying(changes =>
            changes.Records.ElementAtOrDefault(position) is { } record && changes.Delete((deleted = record).Index).Applied), trail, ct);
        if (write is null) return Problems.NotFound("Zone");
        if (deleted is null) return TypedResults.Problem(statusCode: 404, title: "Record not found", detail: $"Record at index {position} doesn't exist in {row.Name}");
        views.Poke();
        return TypedResults.Ok(new DeletedAt($"Record deleted at index {position} from {row.Name}", deleted.Index));
    }
}
