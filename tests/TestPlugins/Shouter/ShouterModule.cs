using System.ComponentModel.DataAnnotations;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Humanizer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.TestPlugins.Shouter;

public sealed class ShouterModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/shout/{text}", (string text) => TypedResults.Ok(new
        {
            text = text.Humanize(LetterCasing.AllCaps),
            humanizer = typeof(LetterCasing).Assembly.GetName().Version!.ToString(),
        })).AllowAnonymous();
        app.MapGet("/whisper/{text}", (string text, Voice voice) => TypedResults.Ok(new { text = text.Humanize(LetterCasing.LowerCase), voice = voice.Name }))
            .AllowAnonymous();
        app.MapPost("/shout", (Shout shout) => TypedResults.Ok(new Shout(shout.Text.Humanize(LetterCasing.AllCaps)))).AllowAnonymous();
        app.MapGet("/profile", (HttpContext http) => TypedResults.Ok(new { profile = http.ApiProfile() })).AllowAnonymous();
        app.MapGet("/legacy", () => TypedResults.Ok(new { legacy = true })).ForProfiles(ApiProfiles.Seed).AllowAnonymous();

        // A group filter that marks every answer, as a seed profile's envelope wraps every answer, refusals included.
        var loud = app.MapGroup("/loud").AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers["X-Shouter-Filter"] = "seen";
            return await next(context);
        }).ValidateRequestsHere();
        loud.MapPost("/", (Body<Loud> loud) => TypedResults.Ok(new { text = loud.Value.Text.Humanize(LetterCasing.AllCaps) + new string('!', loud.Value.Volume) }))
            .AllowAnonymous();
    }
}

public sealed record Loud([property: Required] string Text, [property: Range(1, 10)] int Volume);

public sealed record Shout(string Text);
