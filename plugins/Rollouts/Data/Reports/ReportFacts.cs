using System.Data.Common;
using System.Text.Json;
using Dapper;
using Edgeplane.Plugins.Rollouts.Data.Fleet;

namespace Edgeplane.Plugins.Rollouts.Data.Reports;

/// <summary>A device as the readiness report sees it: its type, what it runs and when it was last seen.</summary>
public sealed record DeviceFacts(string Id, string Name, string DeviceType, IReadOnlyList<SoftwareItem> Software, DateTimeOffset? LastSeenAt);

/// <summary>A published artifact: name, version, and the device types it targets as stored (a JSON array or a comma list).</summary>
public sealed class ArtifactFacts
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string? DeviceTypes { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A failed install, with the device's name and type as its deployment record keeps them.</summary>
public sealed class FailedInstallFacts
{
    public string RolloutId { get; init; } = "";
    public string Device { get; init; } = "";
    public string DeviceType { get; init; } = "";
    public string Message { get; init; } = "";
    public DateTimeOffset At { get; init; }
}

/// <summary>A component of a published artifact's SBOM.</summary>
public sealed class ComponentFacts
{
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string? Purl { get; init; }
    public string ArtifactId { get; init; } = "";
    public string ArtifactName { get; init; } = "";
    public string ArtifactVersion { get; init; } = "";
}

/// <summary>What the readiness report is computed from; <see cref="Notes"/> names the parts this database cannot give.</summary>
public sealed record ReadinessFacts(IReadOnlyList<DeviceFacts> Devices, IReadOnlyList<ArtifactFacts> Artifacts, IReadOnlyList<FailedInstallFacts> FailedInstalls,
    IReadOnlyList<string> Notes);

/// <summary>What the vulnerability report is computed from: SBOM components and what every device runs.</summary>
public sealed record ComponentsFacts(IReadOnlyList<ComponentFacts> Components, IReadOnlyList<IReadOnlyList<SoftwareItem>> DeviceSoftware, IReadOnlyList<string> Notes);

/// <summary>
/// The evidence reports' reads, one team at a time. The artifact, SBOM and deployment tables come with later
/// migrations; on a database without them the part is empty and a note says so.
/// </summary>
public sealed class ReportFacts(IDbConnectionFactory db)
{
    private sealed class DeviceRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string DeviceType { get; set; } = "";
        public string Software { get; set; } = "[]";
        public DateTimeOffset? LastSeenAt { get; set; }
    }

    public async Task<ReadinessFacts> ReadinessAsync(string teamId)
    {
        var notes = new List<string>();
        await using var connection = await db.OpenAsync();
        var devices = (await connection.QueryAsync<DeviceRow>(
            "SELECT id AS Id, name AS Name, device_type AS DeviceType, software AS Software, last_seen_at AS LastSeenAt FROM rollouts_devices WHERE team_id = @teamId ORDER BY name",
            new { teamId })).Select(d => new DeviceFacts(d.Id, d.Name, d.DeviceType, Software(d.Software), d.LastSeenAt)).ToList();
        var artifacts = await TryQueryAsync<ArtifactFacts>(connection,
            "SELECT id AS Id, name AS Name, version AS Version, device_types AS DeviceTypes, created_at AS CreatedAt FROM rollouts_artifacts WHERE team_id = @teamId",
            new { teamId }, notes, "published artifacts");
        // the device's name and type as its deployment record keeps them: a deleted device's failure stays on record
        var failed = await TryQueryAsync<FailedInstallFacts>(connection,
            "SELECT d.rollout_id AS RolloutId, COALESCE(d.device_name, v.name, d.device_id) AS Device, COALESCE(d.device_type, v.device_type, '') AS DeviceType, " +
            "d.message AS Message, d.updated_at AS At " +
            "FROM rollouts_deployment_devices d LEFT JOIN rollouts_devices v ON v.id = d.device_id " +
            "WHERE d.team_id = @teamId AND d.state = 'failed' ORDER BY d.updated_at DESC, d.device_id",
            new { teamId }, notes, "failed installs");
        return new ReadinessFacts(devices, artifacts, failed, notes);
    }

    public async Task<ComponentsFacts> ComponentsAsync(string teamId)
    {
        var notes = new List<string>();
        await using var connection = await db.OpenAsync();
        var components = await TryQueryAsync<ComponentFacts>(connection,
            "SELECT c.name AS Name, c.version AS Version, c.purl AS Purl, c.artifact_id AS ArtifactId, a.name AS ArtifactName, a.version AS ArtifactVersion " +
            "FROM rollouts_sbom_components c JOIN rollouts_artifacts a ON a.id = c.artifact_id AND a.team_id = c.team_id WHERE c.team_id = @teamId",
            new { teamId }, notes, "SBOM components");
        var software = (await connection.QueryAsync<string>("SELECT software FROM rollouts_devices WHERE team_id = @teamId", new { teamId }))
            .Select(Software).ToList();
        return new ComponentsFacts(components, software, notes);
    }

    private static IReadOnlyList<SoftwareItem> Software(string json) => JsonSerializer.Deserialize<List<SoftwareItem>>(json, Json.Options) ?? [];

    private static async Task<IReadOnlyList<T>> TryQueryAsync<T>(DbConnection connection, string sql, object args, List<string> notes, string what)
    {
        try
        {
            return (await connection.QueryAsync<T>(sql, args)).AsList();
        }
        catch (DbException)
        {
            notes.Add($"{what}: not available on this database (the artifacts and rollouts migration has not run)");
            return [];
        }
    }
}
