using Edgeplane.Abstractions.Routing;
using Humanizer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.TestPlugins.Greeter;

public sealed class GreeterModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/hello/{name}", (string name, Salutation salutation) => TypedResults.Ok(new
        {
            message = $"{salutation.Word}, {name.Humanize(LetterCasing.Title)}",
            humanizer = typeof(LetterCasing).Assembly.GetName().Version!.ToString(),
        })).AllowAnonymous();

        app.MapGet("/folder", (Folder folder) => TypedResults.Ok(new { path = folder.Path, exists = Directory.Exists(folder.Path) })).AllowAnonymous();

        app.MapGet("/boom", string () => throw new InvalidOperationException("secret detail")).AllowAnonymous();
    }
}
