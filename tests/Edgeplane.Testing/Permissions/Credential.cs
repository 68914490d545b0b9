namespace Edgeplane.Testing.Permissions;

/// <summary>The credentials every route is tried with: none, three that are not valid, the team's three roles, and two that must not reach further than their role and team.</summary>
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
}
