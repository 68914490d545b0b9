using Edgeplane.Abstractions.Jobs;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Webhooks;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Waf.Fleet;

/// <summary>Marks nodes that stopped heartbeating unhealthy (once across instances) and emits <c>node_health</c>.</summary>
public sealed class NodeHealthJob(WafStore store, WafOptions options, WebhookEvents events, ILeaseManager leases, TimeProvider time, ILogger<NodeHealthJob> logger)
    : LeasedJob(leases, time, logger)
{
    private readonly TimeProvider clock = time;

    protected override string Name => "waf-node-health";
    protected override TimeSpan Interval => TimeSpan.FromSeconds(2);

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - TimeSpan.FromSeconds(options.NodeHealthTimeoutSeconds);
        foreach (var node in await store.ListNodesAsync(cancellationToken))
        {
            if (node.Status == "healthy" && node.LastHeartbeatAt < cutoff)
            {
                await store.SetNodeStatusAsync(node.Id, "unhealthy", cancellationToken);
                events.Publish("node_health", new { node = node.Id, address = node.Address, status = "unhealthy", previous_status = node.Status, last_heartbeat_at = node.LastHeartbeatAt });
            }
        }
        await store.PurgeExpiredBlacklistAsync(cancellationToken);
        await store.PurgeNodeEventsAsync(clock.GetUtcNow() - TimeSpan.FromDays(7), cancellationToken);
    }
}
