using Edgeplane.Plugins.Rollouts.Data.Ca;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// <c>POST/GET /enroll-tokens</c>, <c>DELETE /enroll-tokens/{id}</c>. Token administration is for admins;
/// minting and revoking are session-only (a leaked API key must not mint device credentials).
/// </summary>
public sealed class EnrollTokensModule : ICarterModule
{
    public sealed record NewEnrollToken(string? Name, string? GroupId, Dictionary<string, string>? Labels, long? MaxUses, DateTimeOffset? ExpiresAt, int? ExpiresInSeconds);

    /// <summary>A new token as its creator sees it once: the view, the secret, and what a device needs to reach and trust the device API.</summary>
    public sealed record IssuedEnrollToken(string Id, string Name, string Prefix, string? GroupId, Dictionary<string, string> Labels, long? MaxUses, long Uses,
        DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, string State, string Token, string DeviceApiUrl, string CaCertificate);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/v1/enroll-tokens");
        tokens.MapPost("/", CreateAsync).WithSummary("Issue an enrollment token (shown once)").Produces<IssuedEnrollToken>(StatusCodes.Status201Created).RequirePermission("rollouts.enroll-tokens.write").RequireSession(SessionReasons.EnrollTokens);
        tokens.MapGet("/", ListAsync).WithSummary("The team's enrollment tokens").Produces<Page<EnrollTokenView>>().RequirePermission("rollouts.enroll-tokens.read");
        tokens.MapGet("/{id}", GetAsync).WithSummary("One enrollment token").Produces<EnrollTokenView>().RequirePermission("rollouts.enroll-tokens.read");
        tokens.MapDelete("/{id}", RevokeAsync).WithSummary("Revoke an enrollment token").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.enroll-tokens.write").RequireSession(SessionReasons.EnrollTokens);
    }

    private static async Task<IResult> CreateAsync(NewEnrollToken body, HttpContext http, ICaller caller, EnrollTokenStore store, GroupStore groups, DeviceCa ca,
        RolloutsOptions options, IAuditLog audit, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var expiresAt = body.ExpiresAt ?? (body.ExpiresInSeconds is { } s ? now.AddSeconds(s) : now.AddDays(1));
        var errors = new FieldErrors()
            .Check(body.Name is { Length: > 0 and <= 100 }, "name", "must be 1-100 characters")
            .Check(body.MaxUses is null or (>= 1 and <= 1_000_000), "maxUses", "must be between 1 and 1,000,000 (omit it for no limit)")
            .Check(body.ExpiresAt is null || body.ExpiresInSeconds is null, "expiresAt", "give expiresAt or expiresInSeconds, not both")
            .Check(expiresAt > now, body.ExpiresAt is null && body.ExpiresInSeconds is not null ? "expiresInSeconds" : "expiresAt", "must be in the future")
            .Check(expiresAt <= now.AddDays(365), "expiresAt", "must be within a year");
        if (Names.CheckLabels(body.Labels) is { } labelError) errors.Add("labels", labelError);
        if (body.GroupId is not null && await groups.FindAsync(caller.TeamId!, body.GroupId) is null) errors.Add("groupId", "no such group");
        if (errors.Any) return errors.ToProblem();

        var (row, secret) = await store.CreateAsync(caller.TeamId!, caller.UserId, body.Name!, body.GroupId, body.Labels ?? [], body.MaxUses, expiresAt, now);
        await audit.RecordAsync("rollouts.enroll-token.create", row.Id, new { row.Name, row.GroupId, row.MaxUses, row.ExpiresAt });
        var view = EnrollTokenView.From(row, now);
        return TypedResults.Created(http.PluginLink($"/api/v1/enroll-tokens/{row.Id}"), new IssuedEnrollToken(view.Id, view.Name, view.Prefix, view.GroupId, view.Labels,
            view.MaxUses, view.Uses, view.ExpiresAt, view.RevokedAt, view.CreatedAt, view.LastUsedAt, view.State, secret, options.DeviceApi.Url, ca.ServerCa.ExportCertificatePem()));
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, ICaller caller, EnrollTokenStore store, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var result = await store.ListAsync(caller.TeamId!, page);
        return TypedResults.Ok(new Page<EnrollTokenView>(result.Items.Select(r => EnrollTokenView.From(r, now)).ToList(), result.Total, result.Limit, result.Offset));
    }

    private static async Task<IResult> GetAsync(string id, ICaller caller, EnrollTokenStore store, TimeProvider clock) =>
        await store.FindAsync(caller.TeamId!, id) is { } row ? TypedResults.Ok(EnrollTokenView.From(row, clock.GetUtcNow())) : TypedResults.NotFound();

    private static async Task<IResult> RevokeAsync(string id, ICaller caller, EnrollTokenStore store, IAuditLog audit, TimeProvider clock)
    {
        if (await store.FindAsync(caller.TeamId!, id) is null) return TypedResults.NotFound();
        await store.RevokeAsync(caller.TeamId!, id, clock.GetUtcNow());
        await audit.RecordAsync("rollouts.enroll-token.revoke", id);
        return TypedResults.NoContent();
    }
}
