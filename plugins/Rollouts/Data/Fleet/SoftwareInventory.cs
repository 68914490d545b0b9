namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>A device's software inventory holds one version per software name.</summary>
public static class SoftwareInventory
{
    /// <summary>
    /// One entry per name, sorted by name. When a check-in names a program twice, the last entry wins, as protobuf does for a
    /// repeated map key: an agent lists what it was started with first and what it installed since last (the reference agent does).
    /// </summary>
    public static List<SoftwareItem> OnePerName(IEnumerable<SoftwareItem> reported) =>
        reported.GroupBy(s => s.Name, StringComparer.Ordinal).Select(g => g.Last()).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
}
