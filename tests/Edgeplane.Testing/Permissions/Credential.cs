namespace Edgeplane.Testing.Permissions;

/// <summary>The credentials routes are tried with: none, three that are not valid, the team's three roles, two that must not reach further than their role and team, and a host administrator's.</summary>
public enum Credential
{
    None,
    BadKey,
    RevokedKey,
    ExpiredKey,
    Viewer,
    Operator,
    Admin,
    /// <summary>A viewer key of the team, minted by the host admin: it carries the viewer role, not its minter's powers.</summary>
    ViewerMintedByHostAdmin,
    /// <summary>An admin key of another team: the team's objects are 404 to it.</summary>
    OtherTeamAdmin,
    /// <summary>The host's first admin's key, minted as a host-admin key: tried on host-admin routes, which must let it in.</summary>
    HostAdmin,
}
