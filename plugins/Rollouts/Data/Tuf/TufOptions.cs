using Edgeplane.Plugins.Rollouts.Domain.Tuf;
using Microsoft.Extensions.Configuration;

namespace Edgeplane.Plugins.Rollouts.Data.Tuf;

/// <summary>The update-signing repository's settings: <c>Edgeplane:Plugins:rollouts:Tuf:*</c>.</summary>
public sealed class TufOptions
{
    public int RootKeys { get; init; } = 2;
    public int RootThreshold { get; init; } = 2;
    public int TargetsKeys { get; init; } = 1;
    public int TargetsThreshold { get; init; } = 1;
    public int SnapshotKeys { get; init; } = 1;
    public int SnapshotThreshold { get; init; } = 1;
    public int TimestampKeys { get; init; } = 1;
    public int TimestampThreshold { get; init; } = 1;
    public TimeSpan RootLifetime { get; init; } = TimeSpan.FromDays(365);
    public TimeSpan TargetsLifetime { get; init; } = TimeSpan.FromDays(90);
    public TimeSpan SnapshotLifetime { get; init; } = TimeSpan.FromDays(7);
    public TimeSpan TimestampLifetime { get; init; } = TimeSpan.FromDays(1);
    /// <summary>How often the refresh job looks at expiries (<c>Tuf:RefreshInterval</c>); zero disables it.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Old targets/snapshot versions kept for clients mid-update (root versions are all kept).</summary>
    public int KeepVersions { get; init; } = 10;

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

    public static TufOptions From(IConfiguration section)
    {
        var o = new TufOptions
        {
            RootKeys = section.GetValue("Tuf:RootKeys", 2),
            RootThreshold = section.GetValue("Tuf:RootThreshold", 2),
            TargetsKeys = section.GetValue("Tuf:TargetsKeys", 1),
            TargetsThreshold = section.GetValue("Tuf:TargetsThreshold", 1),
            SnapshotKeys = section.GetValue("Tuf:SnapshotKeys", 1),
            SnapshotThreshold = section.GetValue("Tuf:SnapshotThreshold", 1),
            TimestampKeys = section.GetValue("Tuf:TimestampKeys", 1),
            TimestampThreshold = section.GetValue("Tuf:TimestampThreshold", 1),
            RootLifetime = section.GetValue("Tuf:RootLifetime", TimeSpan.FromDays(365)),
            TargetsLifetime = section.GetValue("Tuf:TargetsLifetime", TimeSpan.FromDays(90)),
            SnapshotLifetime = section.GetValue("Tuf:SnapshotLifetime", TimeSpan.FromDays(7)),
            TimestampLifetime = section.GetValue("Tuf:TimestampLifetime", TimeSpan.FromDays(1)),
            RefreshInterval = section.GetValue("Tuf:RefreshInterval", TimeSpan.FromMinutes(1)),
            KeepVersions = section.GetValue("Tuf:KeepVersions", 10),
        };
        foreach (var role in TufMetadata.Roles)
        {
            var (keys, threshold) = o.For(role);
            if (keys < 1 || threshold < 1 || threshold > keys)
                throw new InvalidOperationException($"Edgeplane:Plugins:rollouts:Tuf: role {role} needs 1 <= threshold ({threshold}) <= keys ({keys})");
        }
        return o;
    }
}
