using Edgeplane.Plugins.Waf.Data;

namespace Edgeplane.Plugins.Waf.Fleet;

/// <summary>The nodes enforcing traffic now.</summary>
public static class NodeCount
{
    /// <summary>
    /// Registered nodes whose last heartbeat is healthy and recent, and this host when it runs the proxy itself (as
    /// <c>GET /nodes</c> lists it).
    /// </summary>
    public static async Task<int> HealthyAsync(WafStore store, WafOptions options, TimeProvider clock)
    {
        var cutoff = clock.GetUtcNow() - TimeSpan.FromSeconds(options.NodeHealthTimeoutSeconds);
        var nodes = (await store.ListNodesAsync()).Count(n => n.Id != options.NodeId && n.Status == "healthy" && n.LastHeartbeatAt >= cutoff);
        return nodes + (RunsProxy(options) ? 1 : 0);
    }

    /// <summary>Whether this host inspects traffic itself (a control plane with its own proxy, not a node).</summary>
    public static bool RunsProxy(WafOptions options) => !options.IsNode && options.Proxy.Enabled && !string.IsNullOrEmpty(options.Proxy.Upstream);
}
