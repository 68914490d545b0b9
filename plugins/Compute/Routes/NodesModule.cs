using System.Data.Common;
using System.Text.Json;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Http;
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

/// <summary>Nodes: machines whose container engine the plugin drives. Shared by every team; host admins manage them.</summary>
public sealed class NodesModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/nodes", async (Store store, CancellationToken ct) =>
        {
            var views = new List<NodeView>();
            foreach (var node in await store.ListNodesAsync(ct)) views.Add(NodeView.From(node, await store.NodeUsageAsync(node.Id, ct)));
            return TypedResults.Ok(views);
        }).RequirePermission("compute.nodes.read");

        app.MapPost("/api/nodes/create", async (Body<NewNode> request, Store store, EngineClients clients, IAuditLog audit, TimeProvider clock, CancellationToken ct) =>
        {
            var body = request.Value;
            var errors = new FieldErrors();
            string? error;
            var name = body.Name.Clean();
            if (name is null) errors.Add("name", "is required");
            else if (name.Length > 100) errors.Add("name", "must be at most 100 characters");
            var tags = (body.Tags ?? [])
                .SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList();
            var ram = ResourceSpec.ParseSize(body.Ram.Clean(), out error);
            if (error is not null) errors.Add("ram", error);
            var disk = ResourceSpec.ParseSize(body.Disk.Clean(), out error);
            if (error is not null) errors.Add("disk", error);
            var processor = ResourceSpec.ParseCpu(body.Processor.Clean(), out error);
            if (error is not null) errors.Add("processor", error + " (the number of cores instances may use)");
            int? port = null;
            if (body.Port.Clean() is { } portText)
            {
                port = ResourceSpec.ParsePort(portText, out error);
                if (error is not null) errors.Add("port", error);
            }
            var tls = body.Tls ?? true;
            var endpoint = EngineEndpoint.TryParse(body.Address.Clean(), port, tls, out error);
            if (error is not null) errors.Add(error.StartsWith("port") ? "port" : "address", error);
            if (errors.Any) return errors.ToProblem();

            EngineVersion version;
            try
            {
                version = await clients.For(endpoint!).GetVersionAsync(ct);
            }
            catch (Exception e) when (e is EngineUnreachableException or EngineException)
            {
                return Problems.Field("address", $"no container engine answers at {endpoint}: {e.Message}");
            }
            var now = clock.GetUtcNow();
            var node = new NodeRow
            {
                Id = Ids.New(now),
                Name = name!,
                Tags = JsonSerializer.Serialize(tags),
                RamBytes = ram!.Value,
                DiskBytes = disk!.Value,
                ProcessorNano = processor!.Value,
                Address = endpoint!.IsUnix ? "unix://" + endpoint.SocketPath : endpoint.Host!,
                Port = endpoint.IsUnix ? null : endpoint.Port,
                Tls = endpoint.Tls,
                Status = NodeStatus.Up,
                Engine = version.Describe(),
                ApiVersion = version.ApiVersion,
                LastSeenAt = now,
                CreatedAt = now,
                UpdatedAt = now,
            };
            try
            {
                await store.InsertNodeAsync(node, ct);
            }
            catch (DbException e) when (store.Dialect.IsUniqueViolation(e))
            {
                return Problems.Conflict($"a node named '{name}' already exists");
            }
            await audit.RecordAsync("compute.node.create", node.Id, new { node.Name, address = endpoint.ToString(), node.Engine }, ct);
            await LocalImages.AddToCatalogAsync(store, clients.For(endpoint), node, audit, clock, ct);
            return TypedResults.Json(NodeView.From(node, new NodeUsage()), statusCode: StatusCodes.Status201Created);
        }).RequirePermission("compute.nodes.write").RequireHostAdmin();

        app.MapDelete("/api/nodes/delete", async (Body<NodeDeletion> body, Store store, EngineClients clients, IAuditLog audit, CancellationToken ct) =>
        {
            if ((body.Value.NodeId.Clean() ?? body.Value.Id.Clean()) is not { } id) return Problems.Field("nodeId", "is required");
            if (await store.FindNodeAsync(id, ct) is not { } node) return Problems.Field("nodeId", $"no node '{id}'");
            var force = body.Value.Force ?? false;
            var instances = await store.ListLiveInstancesOnNodeAsync(node.Id, ct);
            if (instances.Count > 0 && !force)
                return Problems.Conflict($"node {node.Name} has {instances.Count} instance(s); delete them first or pass \"force\": true");
            foreach (var instance in instances)
            {
                try
                {
                    await clients.For(node).DestroyContainerAsync(instance.ContainerId ?? instance.ContainerName, ct);
                }
                catch (Exception e) when (e is EngineUnreachableException or EngineException)
                {
                    // The node is going away; its containers are the operator's to clean up if it is unreachable.
                }
            }
            await store.DeleteNodeAsync(node.Id, force, ct);
            await audit.RecordAsync("compute.node.delete", node.Id, new { node.Name, force, instances = instances.Count }, ct);
            return TypedResults.Json(new { message = "Node deleted", nodeId = node.Id }, statusCode: StatusCodes.Status201Created);
        }).RequirePermission("compute.nodes.write").RequireHostAdmin();
    }
}
