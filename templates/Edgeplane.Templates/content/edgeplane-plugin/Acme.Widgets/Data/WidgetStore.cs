using Dapper;
using Edgeplane.Abstractions.Data;

namespace Acme.Widgets.Data;

/// <summary>The widgets table, through the host's connection factory; every query is scoped to a team.</summary>
public sealed class WidgetStore(IDbConnectionFactory db)
{
    private const string Columns = "id AS Id, name AS Name, quantity AS Quantity, created_at AS CreatedAt";

    public async Task AddAsync(string teamId, Widget widget)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(
            "INSERT INTO widgets_items (id, team_id, name, quantity, created_at) VALUES (@Id, @teamId, @Name, @Quantity, @CreatedAt)",
            new { widget.Id, teamId, widget.Name, widget.Quantity, widget.CreatedAt });
    }

    public async Task<Page<Widget>> ListAsync(string teamId, PageRequest page)
    {
        await using var connection = await db.OpenAsync();
        var items = await connection.QueryAsync<Widget>(
            $"SELECT {Columns} FROM widgets_items WHERE team_id = @teamId ORDER BY id {db.Dialect.Paging()}",
            new { teamId, limit = page.Take, offset = page.Skip });
        var total = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM widgets_items WHERE team_id = @teamId", new { teamId });
        return new Page<Widget>(items.ToList(), total, page.Take, page.Skip);
    }

    public async Task<Widget?> FindAsync(string teamId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<Widget>($"SELECT {Columns} FROM widgets_items WHERE team_id = @teamId AND id = @id", new { teamId, id });
    }

    public async Task DeleteTeamAsync(string teamId)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM widgets_items WHERE team_id = @teamId", new { teamId });
    }
}
