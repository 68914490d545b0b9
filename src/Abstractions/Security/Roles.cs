namespace Edgeplane.Abstractions.Security;

/// <summary>The roles a membership or API key carries, lowest first.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>All roles, lowest first.</summary>
    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Admin];

    /// <summary>The rank of a role (0 for viewer), or -1 when the name is not a role.</summary>
    public static int Rank(string role) => role switch
    {
        Viewer => 0,
        Operator => 1,
        Admin => 2,
        _ => -1,
    };
}
