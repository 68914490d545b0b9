using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Edgeplane.Abstractions.Jobs;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Dns.Jobs;

/// <summary>
/// The plugin's background work queue: NOTIFY (RFC 1996) to every secondary (configured
/// <see cref="DnsServerOptions.Notify"/> targets and enabled DNS nodes) for every zone whose serial
/// the secondary has not acknowledged. The queue is the difference between the serials this host's DNS
/// server answers with and <c>dns_notified</c>; the job runs on one host instance at a time under the
/// lease <c>dns-notify</c>. A serial committed but not yet served here is not announced: the secondary
/// would ask for the SOA at once, find the old serial and ignore the NOTIFY until its refresh timer.
/// </summary>
public sealed class NotifyJob(NodeStore nodes, NotifyStore notified, ZoneViewProvider views, DnsServerOptions options, ILeaseManager leases, TimeProvider clock, ILogger<NotifyJob> logger)
    : LeasedJob(leases, clock, logger)
{
    private int _running;

    protected override string Name => "dns-notify";
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    public sealed record Pending(string ZoneId, string Zone, long Serial, string Target);

    public int Running => Volatile.Read(ref _running);

    public async Task<List<string>> TargetsAsync(CancellationToken ct)
    {
        var targets = new List<string>(options.Notify);
        foreach (var node in await nodes.ListNodesAsync(ct))
            if (node.Enabled) targets.Add(new IPEndPoint(IPAddress.Parse(node.Address), node.Port).ToString());
        return targets.Distinct().ToList();
    }

    public async Task<List<Pending>> PendingAsync(CancellationToken ct)
    {
        var targets = await TargetsAsync(ct);
        if (targets.Count == 0 || !views.Loaded) return [];
        var zones = views.Current.Zones.Values.Select(z => (z.Id, z.Name, z.Soa.Serial)).ToList();
        var done = (await notified.ListAsync(ct)).ToDictionary(r => (r.ZoneId, r.Target), r => r.Serial);
        return zones.SelectMany(z => targets.Where(t => !done.TryGetValue((z.Item1, t), out var s) || s != z.Item3).Select(t => new Pending(z.Item1, z.Item2, z.Item3, t))).ToList();
    }

    /// <summary>Marks everything pending as done without sending (the debug <c>clear_queue</c> route).</summary>
    public async Task<int> ClearAsync(CancellationToken ct)
    {
        var pending = await PendingAsync(ct);
        foreach (var p in pending) await MarkAsync(p, ct);
        return pending.Count;
    }

    private Task MarkAsync(Pending p, CancellationToken ct) => notified.MarkAsync(p.ZoneId, p.Target, p.Serial, ct);

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var pending = await PendingAsync(cancellationToken);
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (p, ct) =>
        {
            Interlocked.Increment(ref _running);
            try
            {
                var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
                var reply = await DnsClient.ExchangeAsync(IPEndPoint.Parse(p.Target), DnsClient.Notify(id, p.Zone), TimeSpan.FromMilliseconds(800), ct);
                if (reply is { Rcode: 0 })
                {
                    await MarkAsync(p, ct);
                    logger.LogInformation("NOTIFY {Zone} serial {Serial} acknowledged by {Target}", p.Zone, p.Serial, p.Target);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        });
    }
}
