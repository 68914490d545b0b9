using System.ComponentModel.DataAnnotations;
using Acme.Widgets.Data;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Acme.Widgets.Api;

/// <summary>A widget to add. The host checks these limits before the handler runs (a 400 naming each field), and the API document shows them.</summary>
public sealed record NewWidget
{
    [Required, StringLength(100, MinimumLength = 1)]
    public string? Name { get; init; }

    [Required, Range(0, 1_000_000)]
    public int? Quantity { get; init; }
}

public sealed record WidgetView(string Id, string Name, int Quantity, DateTimeOffset CreatedAt)
{
    public static WidgetView From(Widget w) => new(w.Id, w.Name, w.Quantity, w.CreatedAt);
}

/// <summary>The widget routes. The host mounts them under <c>/widgets</c> by default.</summary>
public sealed class WidgetsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var widgets = app.MapGroup("/api/widgets");
        widgets.MapGet("/", ListAsync).RequirePermission("widgets.read")
            .WithSummary("The team's widgets").Produces<Page<WidgetView>>().ProducesValidationProblem();
        widgets.MapGet("/{id}", GetAsync).RequirePermission("widgets.read")
            .WithSummary("One widget").Produces<WidgetView>().ProducesProblem(StatusCodes.Status404NotFound);
        widgets.MapPost("/", AddAsync).RequirePermission("widgets.write")
            .WithSummary("Add a widget").Produces<WidgetView>(StatusCodes.Status201Created).ProducesValidationProblem();
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, ICaller caller, WidgetStore store)
    {
        var result = await store.ListAsync(caller.TeamId!, page);
        return TypedResults.Ok(new Page<WidgetView>(result.Items.Select(WidgetView.From).ToList(), result.Total, result.Limit, result.Offset));
    }

    private static async Task<IResult> GetAsync(string id, ICaller caller, WidgetStore store) =>
        await store.FindAsync(caller.TeamId!, id) is { } widget ? TypedResults.Ok(WidgetView.From(widget)) : TypedResults.NotFound();

    private static async Task<IResult> AddAsync(NewWidget body, HttpContext http, ICaller caller, WidgetStore store, IAuditLog audit, TimeProvider clock)
    {
        var widget = new Widget { Id = Ids.New(), Name = body.Name!, Quantity = body.Quantity!.Value, CreatedAt = clock.GetUtcNow() };
        await store.AddAsync(caller.TeamId!, widget);
        await audit.RecordAsync("widgets.add", widget.Id, new { widget.Name });
        return TypedResults.Created(http.PluginLink($"/api/widgets/{widget.Id}"), WidgetView.From(widget));
    }
}
