using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary><c>/api/auth/signup</c> and <c>/api/auth/login</c>: the host's identity service behind the seed's routes.</summary>
public sealed class AuthModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("dns auth");

        auth.MapPost("/signup", async Task<IResult> (HttpRequest request, IIdentityService identity, CancellationToken ct) =>
        {
            var fields = await Fields.ReadAsync(request);
            var username = fields.Required("username");
            var password = fields.Required("password");
            if (fields.Errors.Any) return fields.Errors.ToProblem();
            try
            {
                if (await identity.FindUserAsync(username.Trim(), ct) is not null) return Problems.Conflict("that username is taken");
                var user = await identity.CreateUserAsync(new NewUser(username.Trim(), password), ct);
                return TypedResults.Created($"/api/users/{user.Id}", new { message = "account created", id = user.Id, username = user.Username });
            }
            catch (IdentityValidationException e)
            {
                return Problems.Field(e.Field, e.Message);
            }
        }).AllowAnonymous();

        // Returns a new API key (admin of the user's personal team), as the seed's "Returns: API Key".
        auth.MapPost("/login", async Task<IResult> (HttpRequest request, IIdentityService identity, CancellationToken ct) =>
        {
            var fields = await Fields.ReadAsync(request);
            var username = fields.Required("username");
            var password = fields.Required("password");
            if (fields.Errors.Any) return fields.Errors.ToProblem();
            var user = await identity.VerifyPasswordAsync(username.Trim(), password, ct);
            if (user is null) return TypedResults.Problem(statusCode: 401, title: "Invalid username or password");
            var key = await identity.IssueApiKeyAsync(user.Id, user.PersonalTeamId, Roles.Admin, "dns login", null, ct);
            return TypedResults.Ok(new { message = "authentication successful", key = key.Plaintext, keyId = key.Key.Id, userId = user.Id, teamId = user.PersonalTeamId });
        }).AllowAnonymous();
    }
}
