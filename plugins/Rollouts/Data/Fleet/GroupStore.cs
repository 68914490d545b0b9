using System.Data.Common;
using Dapper;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

public sealed class GroupRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public string Selector { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A label selector: a device matches when it carries every label with the given value.</summary>
public sealed class Selector
{
    public Dictionary<string, string> MatchLabels { get; set; } = [];
}

public sealed record GroupView(string Id, string Name, string Description, Selector Selector, int StaticMembers, int Members, DateTimeOffset CreatedAt);

public sealed record GroupMember(string DeviceId, string Name, bool Static, bool Selected);

/// <summary>Groups: a static list of devices plus a label selector; members are the union.</summary>
public sealed class GroupStore(IDbConnectionFactory db)
{
    private const string Columns = "id AS Id, team_id AS TeamId, name AS Name, description AS Description, selector AS Selector, created_at AS CreatedAt";

    public static bool Matches(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> selector) =>
        selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    /// <summary>Adds the group with its members; false when the team has a group of that name.</summary>
    public async Task<bool> CreateAsync(GroupRow group, IReadOnlyList<string> deviceIds)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        try
        {
            await connection.ExecuteAsync("INSERT INTO rollouts_groups (id, team_id, name, description, selector, created_at) VALUES (@Id, @TeamId, @Name, @Description, @Selector, @CreatedAt)", group, tx);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
        foreach (var deviceId in deviceIds.Distinct())
            await connection.ExecuteAsync("INSERT INTO rollouts_group_members (group_id, device_id, added_at) VALUES (@group, @deviceId, @now)",
                new { group = group.Id, deviceId, now = group.CreatedAt }, tx);
        await tx.CommitAsync();
        return true;
    }

    public async Task<GroupRow?> FindAsync(string teamId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<GroupRow>($"SELECT {Columns} FROM rollouts_groups WHERE team_id = @teamId AND id = @id", new { teamId, id });
    }

    public async Task<Page<GroupView>> ListAsync(string teamId, PageRequest page)
    {
        await using var connection = await db.OpenAsync();
        var rows = (await connection.QueryAsync<GroupRow>($"SELECT {Columns} FROM rollouts_groups WHERE team_id = @teamId ORDER BY name {db.Dialect.Paging()}",
            new { teamId, limit = page.Take, offset = page.Skip })).ToList();
        var total = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_groups WHERE team_id = @teamId", new { teamId });
        var views = new List<GroupView>();
        foreach (var row in rows) views.Add(await ViewAsync(connection, row));
        return new Page<GroupView>(views, total, page.Take, page.Skip);
    }

    public async Task<GroupView> ViewAsync(GroupRow row)
    {
        await using var connection = await db.OpenAsync();
        return await ViewAsync(connection, row);
    }

    private async Task<GroupView> ViewAsync(DbConnection connection, GroupRow row)
    {
        var members = await MembersAsync(connection, row);
        return new GroupView(row.Id, row.Name, row.Description, Json.Read<Selector>(row.Selector), members.Count(m => m.Static), members.Count, row.CreatedAt);
    }

    public async Task<IReadOnlyList<GroupMember>> MembersAsync(GroupRow group)
    {
        await using var connection = await db.OpenAsync();
        return await MembersAsync(connection, group);
    }

    private static async Task<List<GroupMember>> MembersAsync(DbConnection connection, GroupRow group)
    {
        var selector = Json.Read<Selector>(group.Selector).MatchLabels;
        var statics = (await connection.QueryAsync<string>("SELECT device_id FROM rollouts_group_members WHERE group_id = @Id", new { group.Id })).ToHashSet();
        var devices = await connection.QueryAsync<(string Id, string Name, string Labels)>(
            "SELECT id, name, labels FROM rollouts_devices WHERE team_id = @TeamId ORDER BY name", new { group.TeamId });
        var members = new List<GroupMember>();
        foreach (var (id, name, labels) in devices)
        {
            var isStatic = statics.Contains(id);
            var selected = selector.Count > 0 && Matches(Json.Map(labels), selector);
            if (isStatic || selected) members.Add(new GroupMember(id, name, isStatic, selected));
        }
        return members;
    }

    /// <summary>Member device ids of a group (empty when the group is not the team's).</summary>
    public async Task<Dictionary<string, GroupMember>> MemberIdsAsync(DbConnection connection, string teamId, string groupId)
    {
        var group = await connection.QuerySingleOrDefaultAsync<GroupRow>($"SELECT {Columns} FROM rollouts_groups WHERE team_id = @teamId AND id = @groupId", new { teamId, groupId });
        return group is null ? [] : (await MembersAsync(connection, group)).ToDictionary(m => m.DeviceId);
    }

    /// <summary>Saves the group; false when another group of the team has its name.</summary>
    public async Task<bool> UpdateAsync(GroupRow group)
    {
        await using var connection = await db.OpenAsync();
        try
        {
            await connection.ExecuteAsync("UPDATE rollouts_groups SET name = @Name, description = @Description, selector = @Selector WHERE id = @Id", group);
            return true;
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<bool> AddMemberAsync(string groupId, string deviceId, DateTimeOffset now)
    {
        await using var connection = await db.OpenAsync();
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_group_members WHERE group_id = @groupId AND device_id = @deviceId", new { groupId, deviceId }) > 0)
            return false;
        await connection.ExecuteAsync("INSERT INTO rollouts_group_members (group_id, device_id, added_at) VALUES (@groupId, @deviceId, @now)", new { groupId, deviceId, now });
        return true;
    }

    public async Task<bool> RemoveMemberAsync(string groupId, string deviceId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync("DELETE FROM rollouts_group_members WHERE group_id = @groupId AND device_id = @deviceId", new { groupId, deviceId }) == 1;
    }

    public async Task<bool> DeleteAsync(string teamId, string id)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var deleted = await connection.ExecuteAsync("DELETE FROM rollouts_groups WHERE team_id = @teamId AND id = @id", new { teamId, id }, tx) == 1;
        if (deleted)
        {
            await connection.ExecuteAsync("DELETE FROM rollouts_group_members WHERE group_id = @id", new { id }, tx);
            await connection.ExecuteAsync("UPDATE rollouts_enroll_tokens SET group_id = NULL WHERE group_id = @id", new { id }, tx);
        }
        await tx.CommitAsync();
        return deleted;
    }
}
