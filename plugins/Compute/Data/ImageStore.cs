using System.Data.Common;
using Dapper;

namespace Edgeplane.Plugins.Compute.Data;

/// <summary>The <c>compute_images</c> table: the catalog of images deploys may name.</summary>
public sealed class ImageStore(IDbConnectionFactory db)
{
    private const string Columns = "id, name, reference, memory_bytes AS MemoryBytes, nano_cpus AS NanoCpus, command, description, created_at AS CreatedAt";

    public async Task<IReadOnlyList<ImageRow>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ImageRow>($"SELECT {Columns} FROM compute_images ORDER BY name")).AsList();
    }

    /// <summary>A catalog image by id, name or reference.</summary>
    public async Task<ImageRow?> FindAsync(string key, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QueryFirstOrDefaultAsync<ImageRow>(
            $"SELECT {Columns} FROM compute_images WHERE id = @key OR name = @key OR reference = @key ORDER BY created_at", new { key });
    }

    /// <summary>Adds the image to the catalog; false when one of that name exists.</summary>
    public async Task<bool> TryInsertAsync(ImageRow image, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        try
        {
            await c.ExecuteAsync(
                "INSERT INTO compute_images (id, name, reference, memory_bytes, nano_cpus, command, description, created_at) VALUES (@Id, @Name, @Reference, @MemoryBytes, @NanoCpus, @Command, @Description, @CreatedAt)", image);
            return true;
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync("DELETE FROM compute_images WHERE id = @id", new { id }) > 0;
    }
}
