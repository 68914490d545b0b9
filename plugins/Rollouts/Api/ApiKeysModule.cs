using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// The document's API-key administration, on mounts with the seed profile (natively the host's <c>/api/v1/api-keys</c>):
/// the caller's own keys, minted in the caller's team with at most the caller's role, the plaintext in the creation answer
/// only; without a <c>role</c> a key is operator-level ("API keys carry an operator-level permission set"), or the caller's
/// role when that is lower. Session only, every route: a leaked key must not mint, list or revoke keys.
/// </summary>
public sealed class ApiKeysModule : ICarterModule
{
    public sealed record NewKey(string? Name, string? Role, DateTimeOffset? ExpiresAt);

    public sealed record KeyView(string Id, string Name, string Prefix, string Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
        DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
    {
        public static KeyView From(ApiKeyInfo k) => new(k.Id, k.Name, k.Prefix, k.Role, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt);
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/v1/api-keys");
        keys.MapGet("/", ListAsync).WithSummary("The caller's API keys").RequirePermission("rollouts.api-keys.manage").RequireSession(SessionReasons.ApiKeys).ForProfiles(ApiProfiles.Seed);
        keys.MapPost("/", CreateAsync).WithSummary("Mint an API key (shown once)").RequirePermission("rollouts.api-keys.manage").RequireSession(SessionReasons.ApiKeys).ForProfiles(ApiProfiles.Seed);
        keys.MapDelete("/{id}", RevokeAsync).WithSummary("Revoke one of the caller's API keys").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.api-keys.manage").RequireSession(SessionReasons.ApiKeys).ForProfiles(ApiProfiles.Seed);
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, IIdentityService identity, CancellationToken ct)
    {
        var keys = await identity.ListApiKeysAsync(ct);
        return TypedResults.Ok(new Page<KeyView>(keys.Skip(page.Skip).Take(page.Take).Select(KeyView.From).ToList(), keys.Count, page.Take, page.Skip));
    }

    private static async Task<IResult> CreateAsync(NewKey body, ICaller caller, IIdentityService identity, CancellationToken ct)
    {
        var role = body.Role ?? (caller.IsHostAdmin || Roles.Rank(caller.Role ?? "") >= Roles.Rank(Roles.Operator) ? Roles.Operator : caller.Role ?? Roles.Viewer);
        try
        {
            var issued = await identity.CreateApiKeyAsync(body.Name ?? "", role, body.ExpiresAt, ct);
            var view = KeyView.From(issued.Key);
            return TypedResults.Created((string?)null, new
            {
                view.Id, view.Name, view.Prefix, view.Role, view.CreatedAt, view.ExpiresAt, view.LastUsedAt, view.RevokedAt,
                key = issued.Plaintext,
            });
        }
        catch (IdentityValidationException e)
        {
            return new FieldErrors().Add(e.Field, e.Message).ToProblem();
        }
    }

    private static async Task<IResult> RevokeAsync(string id, IIdentityService identity, CancellationToken ct) =>
        await identity.RevokeApiKeyAsync(id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
}
