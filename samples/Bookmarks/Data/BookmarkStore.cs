using Dapper;
using Edgeplane.Abstractions.Data;

namespace Acme.Bookmarks.Data;

/// <summary>Dapper over the host's connection factory; every query is scoped to a team.</summary>
public sealed class BookmarkStore(IDbConnectionFactory db)
{
    private const string Columns = "id AS Id, url AS Url, title AS Title, notes AS Notes, created_at AS CreatedAt";

    public async Task AddAsync(string teamId, Bookmark bookmark)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(
            "INSERT INTO bookmarks (id, team_id, url, title, notes, created_at) VALUES (@Id, @teamId, @Url, @Title, @Notes, @CreatedAt)",
            new { bookmark.Id, teamId, bookmark.Url, bookmark.Title, bookmark.Notes, bookmark.CreatedAt });
    }

    public async Task<Page<Bookmark>> ListAsync(string teamId, PageRequest page)
    {
        await using var connection = await db.OpenAsync();
        var items = await connection.QueryAsync<Bookmark>(
            $"SELECT {Columns} FROM bookmarks WHERE team_id = @teamId ORDER BY id {db.Dialect.Paging()}",
            new { teamId, limit = page.Take, offset = page.Skip });
        var total = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM bookmarks WHERE team_id = @teamId", new { teamId });
        return new Page<Bookmark>(items.ToList(), total, page.Take, page.Skip);
    }

    public async Task<Bookmark?> FindAsync(string teamId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<Bookmark>(
            $"SELECT {Columns} FROM bookmarks WHERE team_id = @teamId AND id = @id", new { teamId, id });
    }

    public async Task<bool> DeleteAsync(string teamId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync("DELETE FROM bookmarks WHERE team_id = @teamId AND id = @id", new { teamId, id }) == 1;
    }

    public async Task<int> DeleteTeamAsync(string teamId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync("DELETE FROM bookmarks WHERE team_id = @teamId", new { teamId });
    }
}
