
namespace Edgeplane.Plugins.Compute.Api;

/// <summary>A user as the seed's user routes show one (never a password hash).</summary>
public sealed record UserView(string Id, string Username, string? Email, bool Admin, bool Enabled, string TeamId, DateTimeOffset CreatedAt)
{
    public static UserView From(UserInfo u) => new(u.Id, u.Username, u.Email, u.IsHostAdmin, u.Enabled, u.PersonalTeamId, u.CreatedAt);
}
