using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;

namespace Edgeplane.Plugins.Compute.Api;

public sealed record ImageView(string Id, string Name, string Reference, string Memory, long MemoryBytes, double Cpu, IReadOnlyList<string>? Command, string? Description, DateTimeOffset CreatedAt)
{
    public static ImageView From(ImageRow i) =>
        new(i.Id, i.Name, i.Reference, ResourceSpec.FormatSize(i.MemoryBytes), i.MemoryBytes, ResourceSpec.Cores(i.NanoCpus), i.CommandList, i.Description, i.CreatedAt);
}
