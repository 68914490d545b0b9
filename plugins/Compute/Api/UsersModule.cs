using Edgeplane.Plugins.Compute.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>The seed's user routes, delegated to the host's identity service. Host administrators only.</summary>
public sealed class UsersModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/users", async (IIdentityService identity, CancellationToken ct) =>
        {
            return TypedResults.Ok((await identity.ListUsersAsync(ct)).Select(UserView.From).ToList());
        }).WithSummary("The host's users (host admin)").RequirePermission("compute.users.read").RequireHostAdmin();

        app.MapPost("/api/getUser", async Task<IResult> (Body<UserLookup> body, IIdentityService identity, CancellationToken ct) =>
        {
            var type = body.Value.Type.Clean();
            if (type is not ("email" or "username")) return Problems.Field("type", "must be 'email' or 'username'");
            if (body.Value.Value.Clean() is not { } value) return Problems.Field("value", "is required");
            UserInfo? user = type == "username"
                ? await identity.FindUserAsync(value, ct)
                : (await identity.ListUsersAsync(ct)).FirstOrDefault(u => string.Equals(u.Email, value, StringComparison.OrdinalIgnoreCase));
            if (user is null) return Problems.Field("value", $"no user with {type} '{value}'");
            return TypedResults.Json(UserView.From(user), statusCode: StatusCodes.Status201Created);
        }).WithSummary("A user by e-mail or username (host admin)").Produces<UserView>(StatusCodes.Status201Created).RequirePermission("compute.users.read").RequireHostAdmin();

        app.MapPost("/api/users/create", async Task<IResult> (Body<NewComputeUser> request, IIdentityService identity, CancellationToken ct) =>
        {
            var body = request.Value;
            var errors = new FieldErrors();
            var username = body.Username.Clean();
            var password = body.Password.Clean();
            var email = body.Email.Clean();
            errors.Check(username is not null, "username", "is required");
            errors.Check(email is not null, "email", "is required");
            errors.Check(password is not null, "password", "is required");
            if (errors.Any) return errors.ToProblem();
            var existing = await identity.ListUsersAsync(ct);
            if (existing.Any(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase) || string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase)))
                return Problems.Conflict($"a user named '{username}' or with email '{email}' already exists");
            try
            {
                var user = await identity.CreateUserAsync(new NewUser(username!, password!, email, body.Admin ?? false) { Id = body.UserId.Clean() }, ct);
                return TypedResults.Json(UserView.From(user), statusCode: StatusCodes.Status201Created);
            }
            catch (IdentityValidationException e)
            {
                var field = e.Field == "id" ? "userId" : e.Field;
                return e.IsConflict ? Problems.Conflict(e.Message) : Problems.Field(field, e.Message);
            }
        }).WithSummary("Create a user (host admin)").Produces<UserView>(StatusCodes.Status201Created).RequirePermission("compute.users.write").RequireHostAdmin().RequireSession();
    }
}
