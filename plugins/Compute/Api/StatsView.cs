using Edgeplane.Plugins.Compute.Engine;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>One resource-usage sample of an instance's container.</summary>
public sealed record StatsView(DateTimeOffset Read, double? CpuPercent, ulong MemoryUsageBytes, ulong MemoryLimitBytes, double? MemoryPercent, ulong Pids, ulong NetworkRxBytes, ulong NetworkTxBytes)
{
    public static StatsView From(ContainerStats s)
    {
        var usage = s.MemoryStats?.Usage ?? 0;
        var limit = s.MemoryStats?.Limit ?? 0;
        return new StatsView(s.Read, s.CpuPercent, usage, limit, limit > 0 ? Math.Round(usage * 100.0 / limit, 2) : null,
            s.PidsStats?.Current ?? 0, (ulong)(s.Networks?.Values.Sum(n => (decimal)n.RxBytes) ?? 0), (ulong)(s.Networks?.Values.Sum(n => (decimal)n.TxBytes) ?? 0));
    }
}
