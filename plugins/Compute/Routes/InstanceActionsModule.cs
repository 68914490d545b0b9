using System.Text;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Edgeplane.Plugins.Compute.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Compute.Routes;

/// <summary>Beyond the seed: power actions, logs and resource usage of one instance (REST paths; 404 for what the caller cannot see).</summary>
public sealed class InstanceActionsModule : ICarterModule
{
    private static readonly string[] Actions = ["start", "stop", "restart", "kill"];

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/instances/{id}", async (string id, InstanceService instances, ComputeOptions options, CancellationToken ct) =>
            await instances.FindVisibleAsync(id, ct) is { DeletedAt: null } instance
                ? (IResult)TypedResults.Ok(InstanceView.From(instance, options.PublishAddress))
                : Problems.NotFound($"instance {id}")).RequirePermission("compute.instances.read");

        app.MapPost("/api/instances/{id}/{action}", async (string id, string action, InstanceService instances, Store store, EngineClients clients,
            ComputeOptions options, IAuditLog audit, CancellationToken ct) =>
        {
            if (!Actions.Contains(action)) return Problems.NotFound($"action {action}");
            if (await instances.FindVisibleAsync(id, ct) is not { DeletedAt: null } instance) return Problems.NotFound($"instance {id}");
            if (instance.State is InstanceState.Deploying or InstanceState.Failed or InstanceState.Missing || instance.ContainerId is null)
                return Problems.Conflict($"instance {id} is {instance.State}: there is no container to {action}");
            if (await store.FindNodeAsync(instance.NodeId, ct) is not { } node) return Problems.Conflict($"the node of instance {id} no longer exists");
            var client = clients.For(node);
            try
            {
                switch (action)
                {
                    case "start":
                        await client.StartContainerAsync(instance.ContainerId, ct);
                        break;
                    case "stop":
                        await client.StopContainerAsync(instance.ContainerId, options.StopTimeout, ct);
                        break;
                    case "restart":
                        await client.RestartContainerAsync(instance.ContainerId, options.StopTimeout, ct);
                        break;
                    case "kill":
                        await client.KillContainerAsync(instance.ContainerId, cancellationToken: ct);
                        break;
                }
                var inspect = await client.InspectContainerAsync(instance.ContainerId, ct);
                var desired = action is "stop" or "kill" ? InstanceState.Stopped : InstanceState.Running;
                var state = inspect?.State is { } s ? Jobs.Reconciler.MapState(s.Status, desired) : InstanceState.Missing;
                int? exitCode = state is InstanceState.Stopped or InstanceState.Exited ? inspect?.State?.ExitCode : null;
                await store.UpdateStateAsync(instance.Id, state, null, exitCode: exitCode, desiredState: desired, ct: ct);
            }
            catch (EngineUnreachableException e)
            {
                return Problems.Unavailable(e.Message);
            }
            catch (EngineException e) when (e.IsNotFound)
            {
                await store.UpdateStateAsync(instance.Id, InstanceState.Missing, "the container no longer exists on the engine", ct: ct);
                return Problems.Conflict($"the container of instance {id} no longer exists");
            }
            catch (EngineException e)
            {
                return Problems.Engine(e.Message);
            }
            await audit.RecordAsync($"compute.instance.{action}", instance.Id, null, ct);
            var updated = await store.FindInstanceAsync(instance.Id, ct);
            return TypedResults.Ok(InstanceView.From(updated!, options.PublishAddress));
        }).RequirePermission("compute.instances.write");

        app.MapGet("/api/instances/{id}/logs", async (string id, int? tail, bool? follow, bool? timestamps, HttpContext http, InstanceService instances, Store store, EngineClients clients) =>
        {
            var ct = http.RequestAborted;
            if (tail is < 0 or > 100_000) return Problems.Field("tail", "must be between 0 and 100000");
            if (await instances.FindVisibleAsync(id, ct) is not { DeletedAt: null } instance) return Problems.NotFound($"instance {id}");
            if (instance.ContainerId is null) return Problems.Conflict($"instance {id} is {instance.State}: it has no container");
            if (await store.FindNodeAsync(instance.NodeId, ct) is not { } node) return Problems.Conflict($"the node of instance {id} no longer exists");
            var frames = clients.For(node).GetLogsAsync(instance.ContainerId, tail ?? 100, follow ?? false, timestamps ?? false, ct).GetAsyncEnumerator(ct);
            bool any;
            try
            {
                any = await frames.MoveNextAsync(); // engine errors surface before the response starts
            }
            catch (EngineUnreachableException e)
            {
                await frames.DisposeAsync();
                return Problems.Unavailable(e.Message);
            }
            catch (EngineException e)
            {
                await frames.DisposeAsync();
                return e.IsNotFound ? Problems.Conflict($"the container of instance {id} no longer exists") : Problems.Engine(e.Message);
            }
            return new LogResult(frames, any);
        }).RequirePermission("compute.instances.read");

        app.MapGet("/api/instances/{id}/stats", async (string id, InstanceService instances, Store store, EngineClients clients, CancellationToken ct) =>
        {
            if (await instances.FindVisibleAsync(id, ct) is not { DeletedAt: null } instance) return Problems.NotFound($"instance {id}");
            if (instance.State != InstanceState.Running || instance.ContainerId is null) return Problems.Conflict($"instance {id} is {instance.State}, not running");
            if (await store.FindNodeAsync(instance.NodeId, ct) is not { } node) return Problems.Conflict($"the node of instance {id} no longer exists");
            try
            {
                var s = await clients.For(node).GetStatsAsync(instance.ContainerId, ct);
                var usage = s.MemoryStats?.Usage ?? 0;
                var limit = s.MemoryStats?.Limit ?? 0;
                return TypedResults.Ok(new StatsView(s.Read, s.CpuPercent, usage, limit, limit > 0 ? Math.Round(usage * 100.0 / limit, 2) : null,
                    s.PidsStats?.Current ?? 0, (ulong)(s.Networks?.Values.Sum(n => (decimal)n.RxBytes) ?? 0), (ulong)(s.Networks?.Values.Sum(n => (decimal)n.TxBytes) ?? 0)));
            }
            catch (EngineUnreachableException e)
            {
                return Problems.Unavailable(e.Message);
            }
            catch (EngineException e)
            {
                return e.IsNotFound ? Problems.Conflict($"the container of instance {id} no longer exists") : Problems.Engine(e.Message);
            }
        }).RequirePermission("compute.instances.read");
    }

    /// <summary>Streams log text as it arrives (chunked <c>text/plain</c>), flushing after each frame so following works.</summary>
    private sealed class LogResult(IAsyncEnumerator<LogFrame> frames, bool any) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            await using (frames)
            {
                try
                {
                    if (!any) return;
                    do
                    {
                        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frames.Current.Text), http.RequestAborted);
                        await http.Response.Body.FlushAsync(http.RequestAborted);
                    }
                    while (await frames.MoveNextAsync());
                }
                catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested) { }
                catch (Exception e) when (e is EngineException or EngineUnreachableException or IOException)
                {
                    // The response has started: end it; the client sees the log up to here.
                }
            }
        }
    }
}
