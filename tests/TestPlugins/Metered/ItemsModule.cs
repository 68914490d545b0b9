using System.Collections.Concurrent;
using System.Text;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.TestPlugins.Metered;

public sealed record CreateItem(string Name, int Size, string? Color);

public sealed record Item(string Id, string Name, int Size, string? Color, DateTimeOffset CreatedAt);

public sealed class ItemStore
{
    public ConcurrentDictionary<string, Item> Items { get; } = new();
}

public sealed class ItemsModule(Instruments instruments) : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var items = app.MapGroup("/api/items");
        items.MapPost("/", Results<Created<Item>, ValidationProblem> (CreateItem body, ItemStore store) =>
        {
            if (string.IsNullOrWhiteSpace(body.Name))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["is required"] });
            var started = DateTime.UtcNow;
            instruments.InFlight.Add(1);
            var item = new Item(Ids.New(), body.Name, body.Size, body.Color, DateTimeOffset.UtcNow);
            store.Items[item.Id] = item;
            instruments.Created.Add(1, new KeyValuePair<string, object?>("color", body.Color ?? "none"));
            instruments.CacheHits.Add(2);
            instruments.PayloadSize.Record(Encoding.UTF8.GetByteCount(body.Name) + body.Size);
            instruments.Load.Record(body.Size / 100.0);
            instruments.Latency.Record(Math.Max(0.5, (DateTime.UtcNow - started).TotalMilliseconds));
            instruments.InFlight.Add(-1);
            return TypedResults.Created($"/metered/api/items/{item.Id}", item);
        }).WithSummary("Create an item").AllowAnonymous();

        items.MapGet("/{id}", Results<Ok<Item>, NotFound> (string id, ItemStore store) =>
            store.Items.TryGetValue(id, out var item) ? TypedResults.Ok(item) : TypedResults.NotFound())
            .WithSummary("Read an item").AllowAnonymous();

        items.MapGet("/", (ItemStore store, int? limit) => TypedResults.Ok(store.Items.Values.Take(limit ?? 100).ToList()))
            .WithSummary("List items").RequirePermission("metered.items.read");

        items.MapDelete("/{id}", NoContent (string id, ItemStore store) =>
        {
            store.Items.TryRemove(id, out _);
            return TypedResults.NoContent();
        }).WithSummary("Delete an item").RequirePermission("metered.items.delete");
    }
}
