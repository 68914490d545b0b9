using Edgeplane.Plugins.Dns.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>The caller's own account: admin check, IP ACL, password; and the public node counters.</summary>
public sealed class AccountModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(SeedAnswer.Filter).AddEndpointFilter(UserAcl.Filter).ValidateRequestsHere();

        // The original answered whether the caller is an admin in "success" (and "200" as the message).
        api.MapGet("/admin", IResult (HttpContext http, ICaller caller) => http.IsSeedProfile()
            ? SeedAnswer.Of(caller.IsHostAdmin, "200", new AdminView(caller.IsHostAdmin, caller.Username))
            : TypedResults.Ok(new AdminView(caller.IsHostAdmin, caller.Username))).WithSummary("Whether the caller is a host admin").Produces<AdminView>();

        api.MapGet("/user/acl", async Task<IResult> (HttpContext http, ICaller caller, AclStore store, CancellationToken ct) =>
        {
            if (caller.UserId is null) return Problems.Forbidden("no user");
            var acl = await store.ListAclAsync(caller.UserId, ct);
            return http.IsSeedProfile() ? SeedAnswer.Ok(acl) : TypedResults.Ok(new AclView(acl));
        }).WithSummary("The caller's IP ACL").Produces<AclView>().RequirePermission("dns.account.write");

        // Appends one entry (an address or a CIDR prefix) to the caller's ACL; body: { "acl": "192.0.2.0/24" }
        // (the original's field "address" on a seed mount).
        api.MapPut("/user/acl", async Task<IResult> (Body<AclEntry> request, HttpContext http, ICaller caller, AclStore store, IAuditLog audit, CancellationToken ct) =>
        {
            if (caller.UserId is null) return Problems.Forbidden("no user");
            var field = http.IsSeedProfile() && request.Value.Acl is null ? "address" : "acl";
            var entry = (field == "acl" ? request.Value.Acl : request.Value.Address)?.Trim();
            if (string.IsNullOrEmpty(entry)) return Problems.Field(field, "is required");
            if (!UserAcl.IsValidEntry(entry)) return Problems.Field(field, "must be an IP address or a CIDR prefix such as 192.0.2.0/24");
            entry = UserAcl.Canonical(entry);
            // Refuse an entry that would lock the caller's own key out at once.
            var current = await store.ListAclAsync(caller.UserId, ct);
            if (caller.Credential == CredentialKind.ApiKey && current.Count == 0 && !UserAcl.Allows([entry], caller.SourceAddress))
                return Problems.Field(field, $"the first entry must allow the address you are calling from ({caller.SourceAddress})");
            if (!await store.AddAclAsync(caller.UserId, entry, ct)) return Problems.Conflict("the ACL already has that entry");
            await audit.RecordAsync("dns.acl.add", caller.UserId, new { entry }, ct);
            return TypedResults.Ok(new AclUpdated("ACL updated", await store.ListAclAsync(caller.UserId, ct)));
        }).WithSummary("Append an address or prefix to the caller's IP ACL").Produces<AclUpdated>().RequirePermission("dns.account.write");

        // Extension: removes one entry; ?acl=192.0.2.0/24.
        api.MapDelete("/user/acl", async Task<IResult> (string? acl, ICaller caller, AclStore store, IAuditLog audit, CancellationToken ct) =>
        {
            if (caller.UserId is null) return Problems.Forbidden("no user");
            if (string.IsNullOrWhiteSpace(acl) || !UserAcl.IsValidEntry(acl.Trim())) return Problems.Field("acl", "must be an IP address or a CIDR prefix");
            var entry = UserAcl.Canonical(acl.Trim());
            // Refuse a removal that would lock the caller's own key out at once (no entries left allows every address).
            var remaining = (await store.ListAclAsync(caller.UserId, ct)).Where(e => e != entry).ToList();
            if (caller.Credential == CredentialKind.ApiKey && !UserAcl.Allows(remaining, caller.SourceAddress))
                return Problems.Field("acl", $"the remaining entries must allow the address you are calling from ({caller.SourceAddress})");
            if (!await store.RemoveAclAsync(caller.UserId, entry, ct)) return Problems.NotFound("ACL entry");
            await audit.RecordAsync("dns.acl.remove", caller.UserId, new { entry = acl }, ct);
            return TypedResults.Ok(new AclView(await store.ListAclAsync(caller.UserId, ct)));
        }).WithSummary("Remove an entry from the caller's IP ACL").Produces<AclView>().RequirePermission("dns.account.write");

        // Body: { "password": current, "new_password": new }.
        api.MapPost("/user/change_password", async Task<IResult> (Body<PasswordChange> request, ICaller caller, IIdentityService identity, CancellationToken ct) =>
        {
            if (caller.UserId is null) return Problems.Forbidden("no user");
            var current = request.Value.Password;
            var next = request.Value.NewPassword ?? request.Value.NewPasswordCamelCase;
            var errors = new FieldErrors()
                .Check(!string.IsNullOrWhiteSpace(current), "password", "is required")
                .Check(!string.IsNullOrEmpty(next), "new_password", "is required");
            if (errors.Any) return errors.ToProblem();
            try
            {
                if (!await identity.ChangePasswordAsync(current!, next!, ct)) return Problems.Field("password", "is not the current password");
            }
            catch (IdentityValidationException e)
            {
                return Problems.Field(e.Field is "password" or "newPassword" ? "new_password" : e.Field, e.Message);
            }
            return TypedResults.Ok(new Done("password changed; sessions ended and the login key revoked"));
        }).WithSummary("Change the caller's password").Produces<Done>().RequirePermission("dns.account.write");

        api.MapGet("/counters", async Task<Ok<Counters>> (NodeStore store, CancellationToken ct) =>
        {
            var nodes = await store.ListNodesAsync(ct);
            return TypedResults.Ok(new Counters(nodes.Count, nodes.Count(n => n.Enabled), nodes.Select(n => n.Location).Distinct(StringComparer.OrdinalIgnoreCase).Count()));
        }).WithSummary("Node, active node and location counts").RequirePermission("dns.nodes.read");

        api.MapGet("/nodes/geoloc", async Task<IResult> (HttpContext http, NodeStore store, CancellationToken ct) =>
        {
            var nodes = await store.ListNodesAsync(ct);
            Geoloc Of(NodeRow n) => new(n.Name, n.Location, n.Latitude, n.Longitude, n.Enabled);
            // The original's message maps each node's name to its location.
            return http.IsSeedProfile() ? SeedAnswer.Ok(nodes.ToDictionary(n => n.Name, Of)) : TypedResults.Ok(new GeolocList(nodes.Select(Of).ToList()));
        }).WithSummary("Each node's location").Produces<GeolocList>().RequirePermission("dns.nodes.read");
    }
}
