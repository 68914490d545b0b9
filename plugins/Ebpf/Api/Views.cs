using System.Text.Json.Nodes;
using Edgeplane.Plugins.Ebpf.Data;
using Edgeplane.Plugins.Ebpf.Domain;

namespace Edgeplane.Plugins.Ebpf.Api;

public sealed record TeamView(string Id, string Name, long NodeCount, long ProgramCount, long MapCount);

public sealed record TokenView(
    string Id, string Name, string Prefix, string? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    int? MaxUses, int Uses, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, string State)
{
    public static TokenView From(TokenRow t, DateTimeOffset now) => new(
        t.Id, t.Name, t.Prefix, t.CreatedBy, t.CreatedAt, t.ExpiresAt, t.MaxUses, t.Uses, t.LastUsedAt, t.RevokedAt,
        t.RevokedAt is not null ? "revoked" : t.ExpiresAt is { } e && e <= now ? "expired" : t.MaxUses is { } m && t.Uses >= m ? "used" : "active");
}

public sealed record IssuedTokenView(TokenView Token, string Secret);

/// <summary>What the seed profile answers for a deletion (the native routes answer 204).</summary>
public sealed record DeletedView(string Id, bool Deleted);

/// <summary>A report taken in: what it held and what changed, and when the agent should report next.</summary>
public sealed record ReportAccepted(string NodeId, bool Accepted, int Programs, int Maps, int Appeared, int Disappeared, int Changed, int ReportIntervalSeconds);

public sealed record NodeView(
    string Id, string TeamId, string Name, string? Hostname, string State, DateTimeOffset EnrolledAt, DateTimeOffset? LastReportAt,
    DateTimeOffset? CollectedAt, long ReportCount, string? AgentVersion, string? KernelRelease, int ProgramCount, int MapCount,
    JsonNode? Features)
{
    public static NodeView From(NodeRow n, DateTimeOffset now, EbpfOptions options, bool withFeatures) => new(
        n.Id, n.TeamId, n.Name, n.Hostname, NodeStates.Of(n.LastReportAt, now, options), n.EnrolledAt, n.LastReportAt, n.CollectedAt,
        n.ReportCount, n.AgentVersion, n.KernelRelease, n.ProgramCount, n.MapCount,
        withFeatures && n.Features is { } f ? JsonNode.Parse(f) : null);
}

public static class ObjectViews
{
    /// <summary>The object as the kernel reported it, plus where and when Edgeplane saw it.</summary>
    public static JsonObject From(ObjectRow row)
    {
        var o = JsonNode.Parse(row.Detail) as JsonObject ?? new JsonObject();
        o["nodeId"] = row.NodeId;
        o["nodeName"] = row.NodeName;
        o["firstSeen"] = row.FirstSeen.ToUniversalTime();
        o["lastSeen"] = LastSeen(row);
        o["disappearedAt"] = row.DisappearedAt?.ToUniversalTime();
        return o;
    }

    /// <summary>A current object was last seen in its node's last report; a closed one in the report before it vanished.</summary>
    private static DateTimeOffset LastSeen(ObjectRow row) =>
        (row.DisappearedAt is null && row.NodeLastReportAt is { } last && last > row.LastSeen ? last : row.LastSeen).ToUniversalTime();

    public static Page<JsonObject> Page(Page<ObjectRow> page) =>
        new(page.Items.Select(From).ToList(), page.Total, page.Limit, page.Offset);

    /// <summary>A history entry: one lifetime of a program or map on a node.</summary>
    public static JsonObject History(ObjectRow row) => new()
    {
        ["kind"] = row.Kind,
        ["id"] = row.ObjectId,
        ["type"] = row.Type,
        ["name"] = row.Name,
        ["nodeId"] = row.NodeId,
        ["appearedAt"] = row.FirstSeen.ToUniversalTime(),
        ["lastSeen"] = LastSeen(row),
        ["disappearedAt"] = row.DisappearedAt?.ToUniversalTime(),
    };
}
