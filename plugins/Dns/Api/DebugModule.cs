using System.Net;
using System.Text.Json;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Jobs;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>The seed's debug routes (host administrators), mapped onto what this plugin runs.</summary>
public sealed class DebugModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var debug = app.MapGroup("/api/debug").AddEndpointFilter(SeedAnswer.Filter).AddEndpointFilter(UserAcl.Filter).ValidateRequestsHere().RequireHostAdmin();

        // Reloads every zone from the database into the DNS server now.
        debug.MapGet("/refresh_zones", async Task<IResult> (ZoneViewProvider views, CancellationToken ct) =>
        {
            var view = await views.ReloadAsync(ct);
            return TypedResults.Ok(new { zones = view.Zones.Count, generation = view.Generation, loadedAt = view.LoadedAt });
        }).WithSummary("Reload every zone into the DNS server (host admin)").RequirePermission("dns.debug");

        // The server keeps no answer cache beyond its zone view: flushing the cache rebuilds that view.
        debug.MapGet("/refresh_cache", async Task<IResult> (ZoneViewProvider views, CancellationToken ct) =>
        {
            var view = await views.ReloadAsync(ct);
            return TypedResults.Ok(new { message = "zone view rebuilt", zones = view.Zones.Count, generation = view.Generation });
        }).WithSummary("Rebuild the DNS server's zone view (host admin)").RequirePermission("dns.debug");

        debug.MapGet("/queue_status", async Task<IResult> (NotifyJob queue, CancellationToken ct) =>
        {
            var pending = await queue.PendingAsync(ct);
            return TypedResults.Ok(new { running = queue.Running, ready = pending.Count, tasks = pending.Take(100).Select(p => new { zone = p.Zone, serial = p.Serial, target = p.Target, kind = "notify" }) });
        }).WithSummary("The NOTIFY queue (host admin)").RequirePermission("dns.debug");

        debug.MapGet("/clear_queue", async Task<IResult> (NotifyJob queue, CancellationToken ct) =>
            TypedResults.Ok(new { cleared = await queue.ClearAsync(ct) })).WithSummary("Drop every pending NOTIFY (host admin)").RequirePermission("dns.debug");

        // Writes a Prometheus file_sd file listing the enabled nodes.
        debug.MapGet("/update_collector_monitoring", async Task<IResult> (NodeStore store, DnsServerOptions options, CancellationToken ct) =>
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
            return TypedResults.Ok(new { file = Path.GetFullPath(file), targets = nodes.Count });
        }).WithSummary("Write the Prometheus file_sd list of the nodes (host admin)").RequirePermission("dns.debug");

        // Queries every enabled node for every zone's SOA and reports the serial lag.
        debug.MapGet("/healthcheck", async Task<IResult> (NodeStore store, ZoneViewProvider views, CancellationToken ct) =>
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
                    return new
                    {
                        zone = zone.Name,
                        expected = zone.Soa.Serial,
                        serial = (long?)serial,
                        lag = serial is null ? (long?)null : zone.Soa.Serial - serial.Value,
                        status = reply is null ? "timeout" : serial is null ? $"no SOA (rcode {reply.Rcode})" : serial == zone.Soa.Serial ? "ok" : "behind",
                    };
                }));
                return new { node = node.Name, address = endpoint.ToString(), healthy = checks.All(c => c.status == "ok"), zones = checks };
            }));
            return TypedResults.Ok(new { nodes = results, healthy = results.All(r => r.healthy) });
        }).WithSummary("Every enabled node's SOA serial of every zone (host admin)").RequirePermission("dns.debug");
    }
}
