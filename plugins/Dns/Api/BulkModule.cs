using System.Text.Json;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>
/// Many record changes (add, edit, delete) for one zone in one request: one transaction, one serial bump, all or
/// nothing; every refused change is reported as <c>changes[i].field</c>.
/// </summary>
public sealed class BulkModule : ICarterModule
{
    private sealed record Item(string Op, int? Index, RecordInput? Input);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(SeedAnswer.Filter).AddEndpointFilter(UserAcl.Filter).ValidateRequestsHere();

        api.MapPost("/zone/{zone}/bulk", async Task<IResult> (string zone, Body<BulkRequest> request, ICaller caller, ZoneStore store, ZoneViewProvider views,
            BulkLimits limits, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            if (request.Value.Changes is not { } list)
                return Problems.Field("changes", "is required: a JSON array of changes ({op: add|edit|delete, ...})");
            if (list.Count == 0) return Problems.Field("changes", "must hold at least one change");
            if (list.Count > limits.MaxBulkChanges)
                return Problems.Errors(StatusCodes.Status413PayloadTooLarge, "Too many changes",
                    new Dictionary<string, List<string>> { ["changes"] = [$"at most {limits.MaxBulkChanges} changes per request (MaxBulkChanges): send the rest in further requests"] });

            var errors = new Dictionary<string, List<string>>();
            var items = list.Select((element, i) => Read(element, $"changes[{i}].", errors)).ToList();
            var invalid = errors.Count > 0;
            var results = new ChangeResult?[items.Count];
            var trail = new WriteAudit(audit.InTransaction(StatusCodes.Status200OK), "dns.records.bulk", row.Name,
                done => new { changes = items.Count, removed = done.Removed.Count, added = done.Added.Count, done.Serial });
            var write = await store.WriteRecordsAsync(row, RecordChangeSet.Applying(changes =>
            {
                for (var i = 0; i < items.Count; i++)
                {
                    var item = items[i];
                    if (item.Op.Length == 0) continue; // unreadable: already reported
                    var result = item.Op switch
                    {
                        "add" => changes.Add(item.Input!, ttlGiven: item.Input!.Ttl is not null),
                        "edit" => changes.Edit(item.Index!.Value, item.Input!),
                        _ => changes.Delete(item.Index!.Value),
                    };
                    results[i] = result;
                    if (result.Applied) continue;
                    invalid |= result.Outcome is ChangeOutcome.Invalid or ChangeOutcome.Conflict;
                    foreach (var (field, messages) in result.Errors)
                        errors[field.Length == 0 ? $"changes[{i}]" : $"changes[{i}].{field}"] = messages;
                }
                return errors.Count == 0;
            }), trail, ct);
            if (write is null) return Problems.NotFound("Zone");
            // Bad input is a 400; well-formed changes that do not fit the zone's data are a 409.
            if (errors.Count > 0)
                return Problems.Errors(invalid ? 400 : 409, invalid ? "Invalid changes" : "Changes conflict with the zone", errors);

            if (write.Changed) views.Poke();
            var records = (await store.ListRecordsAsync(row.Id, ct)).ToDictionary(r => r.DataKey);
            return TypedResults.Ok(new BulkResult(row.Name, write.Serial, write.Removed.Count, write.Added.Count, items.Select((item, i) => new BulkChangeResult(item.Op,
                // a record deleted and added again unchanged kept its index: show the stored record
                results[i]!.Record is { } r ? RecordView.From(row.Name, item.Op != "delete" && records.TryGetValue(r.DataKey, out var stored) ? stored : r) : null)).ToList()));
        }).WithSummary("Many record changes in one transaction and one serial").Produces<BulkResult>().Accepts<BulkChanges>("application/json", "*/*").RequirePermission("dns.zones.write");
    }

    /// <summary>One change's fields; an unreadable one has an empty <c>Op</c> and its errors in <paramref name="errors"/>.</summary>
    private static Item Read(JsonElement element, string prefix, Dictionary<string, List<string>> errors)
    {
        var fields = Fields.Of(element, prefix);
        var op = (fields.String("op") ?? "add").Trim().ToLowerInvariant();
        if (op is not ("add" or "edit" or "delete")) fields.Errors.Add(prefix + "op", "must be add, edit or delete");
        int? index = null;
        if (op is "edit" or "delete")
        {
            index = fields.Int("index");
            if (index is null or < 1 && !fields.Errors.ToDictionary().ContainsKey(prefix + "index")) fields.Errors.Add(prefix + "index", "is required: a positive record index (see /zone/[ZONE]/records)");
        }
        var input = new RecordInput(fields.String("label"), fields.String("type"), fields.Int("ttl"), fields.String("value"),
            fields.Int("priority"), fields.Int("weight"), fields.Int("port"), fields.Int("flags"), fields.String("tag"));
        if (!fields.Errors.Any) return new Item(op, index, input);
        foreach (var (field, messages) in fields.Errors.ToDictionary()) errors[field] = [.. messages];
        return new Item("", null, null);
    }
}
