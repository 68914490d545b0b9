using Dapper;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

public sealed class ProfileRow
{
    public string UserId { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Timezone { get; set; } = "UTC";
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What the console keeps per user beyond the host's identity: display name and time zone.</summary>
public sealed class ProfileStore(IDbConnectionFactory db)
{
    public async Task<ProfileRow?> FindAsync(string userId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<ProfileRow>(
            "SELECT user_id AS UserId, display_name AS DisplayName, timezone AS Timezone, updated_at AS UpdatedAt FROM rollouts_profiles WHERE user_id = @userId", new { userId });
    }

    public async Task SaveAsync(ProfileRow profile)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(db.Dialect.Upsert("rollouts_profiles", ["user_id"], ["user_id", "display_name", "timezone", "updated_at"]),
            new { user_id = profile.UserId, display_name = profile.DisplayName, timezone = profile.Timezone, updated_at = profile.UpdatedAt });
    }
}
