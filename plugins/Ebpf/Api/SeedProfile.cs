using Edgeplane.Plugins.Ebpf.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Edgeplane.Plugins.Ebpf.Api;

/// <summary>
/// What a mount with the <see cref="ApiProfiles.Seed"/> profile changes, so that clients written for bpfdeploy's
/// API work unchanged: every documented route answers 200 on success, "Get all …" answers the complete list as
/// a JSON array, and a node is addressable by its name as in the document's example (<c>nodes/aws-ec2-58</c>).
/// </summary>
internal static class SeedProfile
{
    /// <summary>Every row in one query (the native routes page with <c>?limit=&amp;offset=</c>).</summary>
    public static readonly PageRequest Everything = new(int.MaxValue, 0);

    /// <summary>The native page, or on the seed profile the complete list as a plain array.</summary>
    public static Results<Ok<Page<T>>, Ok<IReadOnlyList<T>>> List<T>(HttpContext http, Page<T> page) =>
        http.IsSeedProfile() ? TypedResults.Ok(page.Items) : TypedResults.Ok(page);

    public static PageRequest Paging(HttpContext http, PageRequest page) => http.IsSeedProfile() ? Everything : page;

    /// <summary>
    /// The node id a path names: on the seed profile a node's name works too, when no node has that id and
    /// exactly one node has that name (two nodes of one name: 409, use the id).
    /// </summary>
    public static async Task<(string? Id, ProblemHttpResult? Problem)> NodeIdAsync(HttpContext http, NodeStore nodes, string teamId, string nodeId, CancellationToken ct)
    {
        if (!http.IsSeedProfile() || await nodes.GetAsync(teamId, nodeId, withFeatures: false, ct) is not null) return (nodeId, null);
        var named = await nodes.IdsNamedAsync(teamId, nodeId, ct);
        return named.Count switch
        {
            0 => (nodeId, null),
            1 => (named[0], null),
            _ => (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Ambiguous node name",
                detail: $"{named.Count} nodes are named '{nodeId}'; address the node by its id ({string.Join(", ", named)}).")),
        };
    }
}
