namespace Edgeplane.Host.Identity;

/// <summary>
/// Usernames, team names and organization names are unique and looked up ignoring letter case: each row keeps its
/// name as written and this key beside it, under a unique index (<c>Migrations/0007_name_keys_unique.sql</c>).
/// </summary>
internal static class NameKey
{
    public static string Of(string name) => name.ToLowerInvariant();
}
