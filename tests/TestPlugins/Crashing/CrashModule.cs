using Edgeplane.Abstractions.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.TestPlugins.Crashing;

public sealed class CrashModule(CrashTrigger trigger) : ICarterModule
{
    /// <summary>Not a service, not a route value, and a GET has no body: nothing can bind it.</summary>
    public sealed class Unregistered;

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        if (trigger.UnbindableRoute)
            app.MapGet("/unbindable", (Unregistered thing) => thing.ToString()).AllowAnonymous();
        app.MapGet("/ping", () => TypedResults.Ok(new { pong = true })).AllowAnonymous();
        app.MapPost("/crash", () =>
        {
            trigger.Pull();
            return TypedResults.Accepted((string?)null);
        }).AllowAnonymous();
    }
}
