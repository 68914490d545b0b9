using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Bench.Plugin;

public sealed class BenchPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder) { }
}

/// <summary>The same handler as bench/host/bare/Program.cs, behind the host's mount (/bench/ping).</summary>
public sealed class PingModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapGet("/ping", () => TypedResults.Ok(new Pong("pong"))).AllowAnonymous();
}

public sealed record Pong(string Message);
