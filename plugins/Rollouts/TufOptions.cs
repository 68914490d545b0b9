namespace Edgeplane.Plugins.Rollouts;

/// <summary>The update-signing repository's settings: <c>Edgeplane:Plugins:rollouts:Tuf:*</c> (each role's key count and threshold, lifetimes).</summary>
public sealed class TufOptions
{
    public int RootKeys { get; set; } = 2;
    public int RootThreshold { get; set; } = 2;
    public int TargetsKeys { get; set; } = 1;
    public int TargetsThreshold { get; set; } = 1;
    public int SnapshotKeys { get; set; } = 1;
    public int SnapshotThreshold { get; set; } = 1;
    public int TimestampKeys { get; set; } = 1;
    public int TimestampThreshold { get; set; } = 1;
    public TimeSpan RootLifetime { get; set; } = TimeSpan.FromDays(365);
    public TimeSpan TargetsLifetime { get; set; } = TimeSpan.FromDays(90);
    public TimeSpan SnapshotLifetime { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan TimestampLifetime { get; set; } = TimeSpan.FromDays(1);
    /// <summary>How often the refresh job looks at expiries (<c>Tuf:RefreshInterval</c>); zero disables it.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Old targets/snapshot versions kept for clients mid-update (root versions are all kept).</summary>
    public int KeepVersions { get; set; } = 10;

    public (int Keys, int Threshold) For(string role) => role switch
    {
        "root" => (RootKeys, RootThreshold),
        "targets" => (TargetsKeys, TargetsThreshold),
        "snapshot" => (SnapshotKeys, SnapshotThreshold),
        _ => (TimestampKeys, TimestampThreshold),
    };

    public TimeSpan Lifetime(string role) => role switch
    {
        "root" => RootLifetime,
        "targets" => TargetsLifetime,
        "snapshot" => SnapshotLifetime,
        _ => TimestampLifetime,
    };
}
