using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Engine;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>
/// Fills the images catalog from a newly registered node: every tagged image its engine has locally becomes a catalog
/// entry named by its reference, with the catalog's default resources, unless an entry already has that name or reference.
/// </summary>
public static class LocalImages
{
    public static async Task AddToCatalogAsync(ImageStore catalog, DockerEngineClient engine, NodeRow node, IAuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        IReadOnlyList<ImageSummary> images;
        try
        {
            images = await engine.ListImagesAsync(ct);
        }
        catch (Exception e) when (e is EngineUnreachableException or EngineException)
        {
            return; // the node is registered; its images can still be added to the catalog by hand
        }
        var references = images.SelectMany(i => i.RepoTags ?? []).Where(t => !t.Contains("<none>")).Distinct();
        foreach (var reference in references)
        {
            if (await catalog.FindAsync(reference, ct) is not null) continue;
            var image = new ImageRow
            {
                Id = Ids.New(clock.GetUtcNow()),
                Name = reference,
                Reference = reference,
                MemoryBytes = ResourceSpec.ParseMemory(ImageRow.DefaultMemory, out _)!.Value,
                NanoCpus = ResourceSpec.ParseCpu(ImageRow.DefaultCpu, out _)!.Value,
                Description = $"local image of node {node.Name}",
                CreatedAt = clock.GetUtcNow(),
            };
            if (!await catalog.TryInsertAsync(image, ct)) continue; // added concurrently
            await audit.RecordAsync("compute.image.create", image.Id, new { image.Name, image.Reference, node = node.Id }, ct);
        }
    }
}
