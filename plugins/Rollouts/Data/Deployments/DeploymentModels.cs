using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Rollouts.Data.Deployments;

/// <summary>One phase: the cumulative share of the target devices released, and how long to watch before the next.</summary>
public sealed record Phase(int Percent, int SoakSeconds);

public sealed record PhaseStart(int Phase, DateTimeOffset StartedAt);

public sealed class RolloutRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Name { get; set; } = "";
    public string ArtifactId { get; set; } = "";
    public string GroupId { get; set; } = "";
    public string Phases { get; set; } = "[]";
    public double FailureThreshold { get; set; }
    public bool RequiresApproval { get; set; }
    public string State { get; set; } = "";
    public int CurrentPhase { get; set; }
    public DateTimeOffset? PhaseStartedAt { get; set; }
    public string PhaseHistory { get; set; } = "[]";
    public int FailureBaseline { get; set; }
    public string? PausedReason { get; set; }
    public string? CreatedBy { get; set; }
    public string? ApprovedBy { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

public sealed class DeploymentDeviceRow
{
    public string RolloutId { get; set; } = "";
    public string DeviceId { get; set; } = "";
    public string DeviceName { get; set; } = "";
    public int Phase { get; set; }
    public string State { get; set; } = "";
    public string Message { get; set; } = "";
    public bool Released { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What a device is told at check-in.</summary>
public sealed class ActiveDeployment
{
    public string RolloutId { get; set; } = "";
    public string State { get; set; } = "";
    public string ArtifactId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Version { get; set; } = "";
    public string TargetName { get; set; } = "";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
}

public sealed record PhaseView(int Index, int Percent, int SoakSeconds, int Devices, Dictionary<string, int> States, string State, DateTimeOffset? StartedAt,
    DateTimeOffset? SoakEndsAt);

public sealed record RolloutDeviceView(string DeviceId, string Name, int Phase, string State, string Message, DateTimeOffset? StartedAt, DateTimeOffset UpdatedAt);

public sealed record RolloutView(string Id, string Name, string ArtifactId, string GroupId, string State, int CurrentPhase, double FailureThreshold,
    bool RequiresApproval, string? PausedReason, string? CreatedBy, string? ApprovedBy, DateTimeOffset? ApprovedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt, Dictionary<string, int> Totals, IReadOnlyList<PhaseView> Phases, IReadOnlyList<RolloutDeviceView>? Devices,
    IReadOnlyList<JsonNode?>? Events);
