using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// The seed's <c>POST /auth/login</c>, <c>POST /auth/logout</c> and <c>GET /auth/me</c> under the plugin's
/// mount. They are the host's own sign-in: each route runs the host's endpoint for the same path
/// (found in the application's endpoint data source) on the same request, so sessions, cookies, CSRF
/// tokens and the rate limit are exactly the host's.
/// </summary>
public sealed class AuthModule : ICarterModule
{
    public sealed record LoginRequest(string? Username, string? Password, string? TeamId);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth");
        auth.MapPost("/login", (HttpContext context, EndpointDataSource endpoints) => HostEndpoint.RunAsync(context, endpoints, "POST", "/api/v1/auth/login"))
            .Accepts<LoginRequest>("application/json").AllowAnonymous().RequireLoginRateLimit();
        auth.MapPost("/logout", (HttpContext context, EndpointDataSource endpoints) => HostEndpoint.RunAsync(context, endpoints, "POST", "/api/v1/auth/logout"))
            .RequireSession().RequirePermission("rollouts.profile.read");
        auth.MapGet("/me", (HttpContext context, EndpointDataSource endpoints) => HostEndpoint.RunAsync(context, endpoints, "GET", "/api/v1/auth/me"))
            .RequirePermission("rollouts.profile.read");
    }
}

internal static class HostEndpoint
{
    /// <summary>Runs the host's route <paramref name="method"/> <paramref name="pattern"/> for this request.</summary>
    public static Task RunAsync(HttpContext context, EndpointDataSource endpoints, string method, string pattern)
    {
        var endpoint = endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e =>
            string.Equals(e.RoutePattern.RawText, pattern, StringComparison.Ordinal)
            && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method) == true);
        if (endpoint?.RequestDelegate is null)
            return Results.Problem(statusCode: 501, title: "Not Implemented", detail: $"the host does not serve {method} {pattern}").ExecuteAsync(context);
        return endpoint.RequestDelegate(context);
    }
}
