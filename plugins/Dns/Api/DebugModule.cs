using System.Net;
using System.Text.Json;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Jobs;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>The seed's debug routes (host administrators), mapped onto what this plugin runs.</summary>
public sealed class DebugModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var debug = app.MapGroup("/api/debug").AddEndpointFilter(SeedAnswer.Filter).AddEndpointFilter(UserAcl.Filter).ValidateRequestsHere().RequireHostAdmin();

        // Reloads every zone from the database into the DNS server now.
        debug.MapGet("/refresh_zones", async Task<Ok<ViewReloaded>> (ZoneViewProvider views, CancellationToken ct) =>
        {
            var view = await views.ReloadAsync(ct);
            return TypedResults.Ok(new ViewReloaded(view.Zones.Count, view.Generation, view.LoadedAt));
        }).WithSummary("Reload every zone into the DNS server (host admin)").RequirePermission("dns.debug");

        // The server keeps no answer cache beyond its zone view: flushing the cache rebuilds that view.
        debug.MapGet("/refresh_cache", async Task<Ok<ViewRebuilt>> (ZoneViewProvider views, CancellationToken ct) =>
        {
            var view = await views.ReloadAsync(ct);
            return TypedResults.Ok(new ViewRebuilt("zone view rebuilt", view.Zones.Count, view.Generation));
        }).WithSummary("Rebuild the DNS server's zone view (host admin)").RequirePermission("dns.debug");

        debug.MapGet("/queue_status", async Task<Ok<QueueStatus>> (NotifyJob queue, CancellationToken ct) =>
        {
            var pending = await queue.PendingAsync(ct);
            return TypedResults.Ok(new QueueStatus(queue.Running, pending.Count, pending.Take(100).Select(p => new QueuedNotify(p.Zone, p.Serial, p.Target, "notify")).ToList()));
        }).WithSummary("The NOTIFY queue (host admin)").RequirePermission("dns.debug");

        debug.MapGet("/clear_queue", async Task<Ok<QueueCleared>> (NotifyJob queue, CancellationToken ct) =>
            TypedResults.Ok(new QueueCleared(await queue.ClearAsync(ct)))).WithSummary("Drop every pending NOTIFY (host admin)").RequirePermission("dns.debug");

        // Writes a Prometheus file_sd file listing the enabled nodes.
        debug.MapGet("/update_collector_monitoring", async Task<Ok<CollectorFile>> (NodeStore store, DnsServerOptions options, CancellationToken ct) =>
        {
            var nodes = (await store.ListNodesAsync(ct)).Where(n => n.Enabled).ToList();
            var groups = nodes.Select(n => new Dictionary<string, object>
            {
                ["targets"] = new[] { new IPEndPoint(IPAddress.Parse(n.Address), options.NodeMetricsPort).ToString() },
                ["labels"] = new Dictionary<string, string> { ["node"] = n.Name, ["location"] = n.Location, ["job"] = "edgeplane-dns-node" },
            }).ToList();
            var file = options.PrometheusSdFile!; // the plugin's data directory unless configured
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            var temp = file + ".tmp";
            await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(groups, new JsonSerializerOptions { WriteIndented = true }), ct);
            File.Move(temp, file, overwrite: true);
            return TypedResults.Ok(new CollectorFile(Path.GetFullPath(file), nodes.Count));
        }).WithSummary("Write the Prometheus file_sd list of the nodes (host admin)").RequirePermission("dns.debug");

        // Queries every enabled node for every zone's SOA and reports the serial lag.
        debug.MapGet("/healthcheck", async Task<Ok<NodesHealth>> (NodeStore store, ZoneViewProvider views, CancellationToken ct) =>
        {
            var nodes = (await store.ListNodesAsync(ct)).Where(n => n.Enabled).ToList();
            var zones = views.Current.Zones.Values.OrderBy(z => z.Name).ToList();
            var results = await Task.WhenAll(nodes.Select(async node =>
            {
                var endpoint = new IPEndPoint(IPAddress.Parse(node.Address), node.Port);
                var checks = await Task.WhenAll(zones.Select(async (zone, i) =>
                {
                    var reply = await DnsClient.ExchangeAsync(endpoint, Wire.DnsResponse.Query((ushort)(i + 1), zone.Name, RrType.SOA), TimeSpan.FromSeconds(1), ct);
                    var serial = reply?.SoaSerial();
                    return new ZoneHealth(zone.Name, zone.Soa.Serial, serial, serial is null ? null : zone.Soa.Serial - serial.Value,
                        reply is null ? "timeout" : serial is null ? $"no SOA (rcode {reply.Rcode})" : serial == zone.Soa.Serial ? "ok" : "behind");
                }));
                return new NodeHealth(node.Name, endpoint.ToString(), checks.All(c => c.Status == "ok"), checks);
            }));
            return TypedResults.Ok(new NodesHealth(results, results.All(r => r.Healthy)));
        }).WithSummary("Every enabled node's SOA serial of every zone (host admin)").RequirePermission("dns.debug");
    }
}
