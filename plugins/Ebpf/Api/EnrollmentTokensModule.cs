using Edgeplane.Plugins.Ebpf.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Ebpf.Api;

public sealed record NewEnrollmentToken(string? Name, DateTimeOffset? ExpiresAt, int? MaxUses);

/// <summary>Team-scoped enrollment tokens, created and revoked by an operator; the secret is shown once.</summary>
public sealed class EnrollmentTokensModule : ICarterModule
{
    public const string SecretPrefix = "epe_";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/teams/{teamId}/enrollment-tokens", async Task<Results<Created<IssuedTokenView>, ValidationProblem, ProblemHttpResult>> (string teamId, NewEnrollmentToken? body, ICaller caller, ITeamService teams, TokenStore tokens, TimeProvider clock, HttpContext context, CancellationToken ct) =>
        {
            if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
            var now = clock.GetUtcNow();
            var name = body?.Name?.Trim();
            var errors = new FieldErrors();
            errors.Check(!string.IsNullOrEmpty(name), "name", "is required");
            errors.Check(name is null || name.Length <= 100, "name", "must be at most 100 characters");
            errors.Check(body?.ExpiresAt is not { } e || e > now, "expiresAt", "must be in the future");
            errors.Check(body?.MaxUses is not { } m || m is >= 1 and <= 1_000_000, "maxUses", "must be between 1 and 1000000");
            if (errors.Any) return errors.ToProblem();

            var secret = Secrets.Generate(SecretPrefix);
            var token = new TokenRow
            {
                Id = Ids.New(now), TeamId = teamId, Name = name!, Prefix = secret[..(SecretPrefix.Length + 6)],
                CreatedBy = caller.UserId, CreatedAt = now, ExpiresAt = body!.ExpiresAt?.ToUniversalTime(), MaxUses = body.MaxUses,
            };
            await tokens.InsertAsync(token, Secrets.Hash(secret), ct);
            await TeamAccess.AuditAsync(context, "ebpf.enrollment-token.create", token.Id, new { teamId, token.Name, token.ExpiresAt, token.MaxUses });
            return TypedResults.Created(context.PluginLink($"/api/v1/teams/{teamId}/enrollment-tokens/{token.Id}"), new IssuedTokenView(TokenView.From(token, now), secret));
        }).WithSummary("Issue an enrollment token (its secret is shown once)").RequirePermission("ebpf.enrollment.manage");

        app.MapGet("/api/v1/teams/{teamId}/enrollment-tokens", async Task<Results<Ok<Page<TokenView>>, ProblemHttpResult>> (string teamId, [AsParameters] PageRequest page, ICaller caller, ITeamService teams, TokenStore tokens, TimeProvider clock, CancellationToken ct) =>
        {
            if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
            var listed = await tokens.ListAsync(teamId, page, ct);
            var now = clock.GetUtcNow();
            return TypedResults.Ok(new Page<TokenView>(listed.Items.Select(t => TokenView.From(t, now)).ToList(), listed.Total, listed.Limit, listed.Offset));
        }).WithSummary("The team's enrollment tokens").RequirePermission("ebpf.enrollment.manage");

        app.MapGet("/api/v1/teams/{teamId}/enrollment-tokens/{tokenId}", async Task<Results<Ok<TokenView>, ProblemHttpResult>> (string teamId, string tokenId, ICaller caller, ITeamService teams, TokenStore tokens, TimeProvider clock, CancellationToken ct) =>
        {
            if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
            if (await tokens.GetAsync(teamId, tokenId, ct) is not { } token) return TeamAccess.NotFound("enrollment token");
            return TypedResults.Ok(TokenView.From(token, clock.GetUtcNow()));
        }).WithSummary("One enrollment token").RequirePermission("ebpf.enrollment.manage");

        app.MapDelete("/api/v1/teams/{teamId}/enrollment-tokens/{tokenId}", async Task<Results<NoContent, ProblemHttpResult>> (string teamId, string tokenId, ICaller caller, ITeamService teams, TokenStore tokens, TimeProvider clock, HttpContext context, CancellationToken ct) =>
        {
            if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
            if (await tokens.GetAsync(teamId, tokenId, ct) is null) return TeamAccess.NotFound("enrollment token");
            if (await tokens.RevokeAsync(teamId, tokenId, clock.GetUtcNow(), ct))
                await TeamAccess.AuditAsync(context, "ebpf.enrollment-token.revoke", tokenId, new { teamId });
            return TypedResults.NoContent();
        }).WithSummary("Revoke an enrollment token").RequirePermission("ebpf.enrollment.manage");
    }
}
