using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>
/// <c>/api/auth/signup</c> and <c>/api/auth/login</c>: the host's identity service behind the seed's routes, with
/// the host's login limit and lockout (429), sign-up only where the operator allows it (403 otherwise).
/// </summary>
public sealed class AuthModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").AddEndpointFilter(SeedAnswer.Filter).ValidateRequestsHere();

        auth.MapPost("/signup", async Task<IResult> (Body<Credentials> request, HttpContext http, IIdentityService identity, CancellationToken ct) =>
        {
            var (username, password, errors) = Required(request.Value);
            if (errors.Any) return errors.ToProblem();
            try
            {
                var user = await identity.SignUpAsync(username.Trim(), password, cancellationToken: ct);
                if (http.IsSeedProfile()) return SeedAnswer.Ok("Signup success", new { id = user.Id, username = user.Username });
                return TypedResults.Json(new SignedUp("account created", user.Id, user.Username), statusCode: StatusCodes.Status201Created); // no URL shows one user
            }
            catch (IdentityValidationException e)
            {
                return e.IsConflict ? Problems.Conflict("that username is taken") : Problems.Field(e.Field, e.Message);
            }
        }).WithSummary("Create an account (when the operator allows sign-up)").Produces<SignedUp>(StatusCodes.Status201Created).AllowAnonymous();

        // Returns the user's login key (admin of the user's personal team), as the seed's "Returns: API Key";
        // each login replaces the previous login key.
        auth.MapPost("/login", async Task<IResult> (Body<Credentials> request, HttpContext http, IIdentityService identity, CancellationToken ct) =>
        {
            var (username, password, errors) = Required(request.Value);
            if (errors.Any) return errors.ToProblem();
            if (await identity.LogInAsync(username.Trim(), password, ct) is not { } login)
                return TypedResults.Problem(statusCode: 401, title: "Invalid username or password");
            if (http.IsSeedProfile()) // the original's login answer: the key is the message
                return SeedAnswer.Ok(login.Key.Plaintext, new { keyId = login.Key.Key.Id, userId = login.User.Id, teamId = login.User.PersonalTeamId, expiresAt = login.Key.Key.ExpiresAt });
            return TypedResults.Ok(new LoggedIn("authentication successful", login.Key.Plaintext, login.Key.Key.Id, login.User.Id, login.User.PersonalTeamId,
                login.Key.Key.ExpiresAt));
        }).WithSummary("Sign in: the user's login key").Produces<LoggedIn>().AllowAnonymous();
    }

    private static (string Username, string Password, FieldErrors Errors) Required(Credentials body)
    {
        var errors = new FieldErrors()
            .Check(!string.IsNullOrWhiteSpace(body.Username), "username", "is required")
            .Check(!string.IsNullOrWhiteSpace(body.Password), "password", "is required");
        return (body.Username ?? "", body.Password ?? "", errors);
    }
}
