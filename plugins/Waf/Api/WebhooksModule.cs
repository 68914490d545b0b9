using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Abstractions.Webhooks;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

public sealed class WebhooksModule : ICarterModule
{
    public sealed record NewWebhook(string? Url, string[]? Events, string? Secret);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/webhooks", async (Body<NewWebhook> request, WafStore store, IWebhookSender sender, ICaller caller, IAuditLog audit, TimeProvider clock) =>
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
            return Json.Created(new { id = row.Id, url = row.Url, events = row.EventList, secret, created_at = row.CreatedAt });
        }).WithSummary("Subscribe a URL to WAF events (its signing secret is shown once)").RequirePermission("waf.webhooks.write");

        app.MapGet("/api/v1/webhooks", async (WafStore store) =>
        {
            var hooks = await store.ListWebhooksAsync();
            return Json.Ok(new { webhooks = hooks.Select(h => new { id = h.Id, url = h.Url, events = h.EventList, created_at = h.CreatedAt }).ToList(), total = hooks.Count });
        }).WithSummary("The webhooks").RequirePermission("waf.webhooks.read");

        app.MapDelete("/api/v1/webhooks/{id}", async (string id, WafStore store, IWebhookSender sender, IAuditLog audit) =>
        {
            if (!await store.DeleteWebhookAsync(id)) return Results.Problem(statusCode: 404, title: $"Webhook {id} not found");
            await sender.CancelPendingAsync(WebhookEvents.PluginId, id);
            await audit.RecordAsync("waf.webhook.deleted", id);
            return Results.NoContent();
        }).WithSummary("Delete a webhook").Produces(StatusCodes.Status204NoContent).RequirePermission("waf.webhooks.write");

        app.MapGet("/api/v1/webhooks/{id}/deliveries", async (string id, [AsParameters] PageRequest page, WafStore store, IWebhookSender sender) =>
        {
            if ((await store.ListWebhooksAsync()).All(h => h.Id != id)) return Results.Problem(statusCode: 404, title: $"Webhook {id} not found");
            var log = await sender.ListDeliveriesAsync(new WebhookDeliveryQuery(WebhookEvents.PluginId, SubscriptionId: id), page);
            return Json.Ok(new
            {
                deliveries = log.Items.Select(d => new
                {
                    id = d.Id, @event = d.EventType, status = d.Status.ToString().ToLowerInvariant(), attempts = d.Attempts, last_status_code = d.LastStatusCode,
                    last_error = d.LastError, next_attempt_at = d.NextAttemptAt, created_at = d.CreatedAt, last_attempt_at = d.LastAttemptAt, delivered_at = d.DeliveredAt,
                }).ToList(),
                total = log.Total,
                limit = log.Limit,
                offset = log.Offset,
            });
        }).WithSummary("A webhook's deliveries and their attempts").RequirePermission("waf.webhooks.read");
    }
}
