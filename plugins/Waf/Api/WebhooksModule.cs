using System.Text.Json.Serialization;
using Edgeplane.Abstractions.Webhooks;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

public sealed class WebhooksModule : ICarterModule
{
    public sealed record NewWebhook(string? Url, string[]? Events, string? Secret);

    public sealed record CreatedWebhook(string Id, string Url, string[] Events, string Secret, [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

    public sealed record WebhookView(string Id, string Url, string[] Events, [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

    public sealed record WebhookList(List<WebhookView> Webhooks, int Total);

    public sealed record DeliveryView(
        string Id, string Event, string Status, int Attempts,
        [property: JsonPropertyName("last_status_code")] int? LastStatusCode,
        [property: JsonPropertyName("last_error")] string? LastError,
        [property: JsonPropertyName("next_attempt_at")] DateTimeOffset? NextAttemptAt,
        [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
        [property: JsonPropertyName("last_attempt_at")] DateTimeOffset? LastAttemptAt,
        [property: JsonPropertyName("delivered_at")] DateTimeOffset? DeliveredAt);

    public sealed record DeliveryPage(List<DeliveryView> Deliveries, long Total, int Limit, int Offset);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/webhooks", async Task<Results<JsonCreated<CreatedWebhook>, ValidationProblem>> (Body<NewWebhook> request, WafStore store, IWebhookSender sender, ICaller caller, IAuditLog audit, TimeProvider clock) =>
        {
            var body = request.Value;
            var errors = new FieldErrors();
            errors.Check(Uri.TryCreate(body.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && body.Url!.Length <= 2000, "url", "must be an absolute http(s) URL");
            var events = body.Events ?? WebhookEvents.EventNames;
            errors.Check(events.Length > 0 && events.All(e => WebhookEvents.EventNames.Contains(e)), "events", $"must be a non-empty list of {string.Join(", ", WebhookEvents.EventNames)}");
            errors.Check(body.Secret is null || body.Secret.Length is >= 16 and <= 200, "secret", "must be 16 to 200 characters (omit it to get a generated one)");
            if (errors.Any) return errors.ToProblem();
            var secret = body.Secret ?? Secrets.Generate("whsec_");
            var row = new WebhookRow(Ids.New(), body.Url!, string.Join(',', events.Distinct()), sender.ProtectSecret(secret), caller.UserId, clock.GetUtcNow());
            await store.InsertWebhookAsync(row);
            await audit.RecordAsync("waf.webhook.created", row.Id, new { row.Url, row.Events });
            return Json.Created(new CreatedWebhook(row.Id, row.Url, row.EventList, secret, row.CreatedAt));
        }).WithSummary("Subscribe a URL to WAF events (its signing secret is shown once)").RequirePermission("waf.webhooks.write");

        app.MapGet("/api/v1/webhooks", async Task<JsonOk<WebhookList>> (WafStore store) =>
        {
            var hooks = await store.ListWebhooksAsync();
            return Json.Ok(new WebhookList(hooks.Select(h => new WebhookView(h.Id, h.Url, h.EventList, h.CreatedAt)).ToList(), hooks.Count));
        }).WithSummary("The webhooks").RequirePermission("waf.webhooks.read");

        app.MapDelete("/api/v1/webhooks/{id}", async (string id, WafStore store, IWebhookSender sender, IAuditLog audit) =>
        {
            if (!await store.DeleteWebhookAsync(id)) return Results.Problem(statusCode: 404, title: $"Webhook {id} not found");
            await sender.CancelPendingAsync(WebhookEvents.PluginId, id);
            await audit.RecordAsync("waf.webhook.deleted", id);
            return Results.NoContent();
        }).WithSummary("Delete a webhook").Produces(StatusCodes.Status204NoContent).RequirePermission("waf.webhooks.write");

        app.MapGet("/api/v1/webhooks/{id}/deliveries", async Task<Results<JsonOk<DeliveryPage>, ProblemHttpResult>> (string id, [AsParameters] PageRequest page, WafStore store, IWebhookSender sender) =>
        {
            if ((await store.ListWebhooksAsync()).All(h => h.Id != id)) return TypedResults.Problem(statusCode: 404, title: $"Webhook {id} not found");
            var log = await sender.ListDeliveriesAsync(new WebhookDeliveryQuery(WebhookEvents.PluginId, SubscriptionId: id), page);
            return Json.Ok(new DeliveryPage(log.Items.Select(d => new DeliveryView(d.Id, d.EventType, d.Status.ToString().ToLowerInvariant(), d.Attempts, d.LastStatusCode,
                d.LastError, d.NextAttemptAt, d.CreatedAt, d.LastAttemptAt, d.DeliveredAt)).ToList(), log.Total, log.Limit, log.Offset));
        }).WithSummary("A webhook's deliveries and their attempts").RequirePermission("waf.webhooks.read");
    }
}
