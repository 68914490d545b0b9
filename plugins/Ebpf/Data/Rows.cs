namespace Edgeplane.Plugins.Ebpf.Data;

public sealed class TokenRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Prefix { get; set; } = "";
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public int? MaxUses { get; set; }
    public int Uses { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public sealed class NodeRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Hostname { get; set; }
    public string? MachineId { get; set; }
    public string? TokenId { get; set; }
    public string? AgentVersion { get; set; }
    public string? KernelRelease { get; set; }
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? LastReportAt { get; set; }
    public DateTimeOffset? CollectedAt { get; set; }
    public long ReportCount { get; set; }
    public int ProgramCount { get; set; }
    public int MapCount { get; set; }
    public string? Features { get; set; }
    public string? FeaturesHash { get; set; }
}

public sealed class ObjectRow
{
    public string RowId { get; set; } = "";
    public string NodeId { get; set; } = "";
    public string NodeName { get; set; } = "";
    public string Kind { get; set; } = "";
    public long ObjectId { get; set; }
    public string Type { get; set; } = "";
    public string Name { get; set; } = "";
    public string Detail { get; set; } = "";
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public DateTimeOffset? DisappearedAt { get; set; }
    public DateTimeOffset? NodeLastReportAt { get; set; }
}

public sealed record IngestResult(int Programs, int Maps, int Appeared, int Disappeared, int Changed);

/// <summary>One program or map as the agent reported it: the identifying fields plus the whole object.</summary>
public sealed record ReportedObject(string Kind, long Id, string Identity, string Type, string Name, string Detail);

/// <summary>A current (open) lifetime row of a node's program or map.</summary>
public sealed record CurrentObject(string RowId, string Kind, long ObjectId, string Identity, string Detail);

/// <summary>The columns of a node one report writes.</summary>
public sealed record NodeReport(string? AgentVersion, string? Hostname, string? MachineId, string? KernelRelease, DateTimeOffset? CollectedAt,
    string Features, string FeaturesHash, int ProgramCount, int MapCount);
