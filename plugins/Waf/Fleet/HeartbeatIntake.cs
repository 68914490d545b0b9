using System.Text.Json;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Webhooks;

namespace Edgeplane.Plugins.Waf.Fleet;

/// <summary>
/// Takes a node's (already validated) heartbeat: its row and counters, its rule hits, its webhook events (each delivered
/// once, even when a heartbeat is sent again) and a <c>node_health</c> event when its status changed.
/// </summary>
public sealed class HeartbeatIntake(WafStore store, WebhookEvents events, TimeProvider clock)
{
    /// <summary>Records the heartbeat; returns the status the node now has.</summary>
    public async Task<string> RecordAsync(string id, Heartbeat beat)
    {
        var now = clock.GetUtcNow();
        var existing = await store.GetNodeAsync(id);
        var status = beat.Status is "healthy" or "degraded" ? beat.Status! : "healthy";
        await store.UpsertNodeAsync(new NodeRow(id, beat.Address ?? "", beat.Mode ?? "l7", status, beat.Load, beat.ConfigVersion,
            JsonSerializer.Serialize(beat.Stats, JsonSerializerOptions.Web), existing?.RegisteredAt ?? now, now));
        if (beat.RuleHits is { Count: > 0 } hits) await store.AddHitsAsync(hits);
        foreach (var e in beat.Events ?? [])
        {
            if (!await store.TryRecordNodeEventAsync(e.Id, id, e.Event)) continue;
            try
            {
                await events.DeliverAsync(e.Event, WebhookEvents.Payload(e.Event, e.Timestamp, id, e.Data));
            }
            catch
            {
                await store.ForgetNodeEventAsync(e.Id);
                throw;
            }
        }
        if (existing is null || existing.Status != status)
            events.Publish("node_health", new { node = id, address = beat.Address, status, previous_status = existing?.Status });
        return status;
    }
}
