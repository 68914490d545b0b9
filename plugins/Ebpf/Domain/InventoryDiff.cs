using Edgeplane.Plugins.Ebpf.Data;

namespace Edgeplane.Plugins.Ebpf.Domain;

/// <summary>What a report changes in a node's inventory.</summary>
public sealed record InventoryChanges(
    IReadOnlyList<ReportedObject> Appeared,
    IReadOnlyList<CurrentObject> Disappeared,
    IReadOnlyList<(CurrentObject Row, ReportedObject Now)> Changed,
    int Unchanged);

public static class InventoryDiff
{
    /// <summary>
    /// Compares a node's open lifetimes with a new report. An object whose kernel id was reused by a
    /// different object (another tag or load time, another map type or name) closes the old lifetime and
    /// opens a new one.
    /// </summary>
    public static InventoryChanges Compute(IEnumerable<CurrentObject> current, IEnumerable<ReportedObject> reported)
    {
        var open = new Dictionary<(string, long), CurrentObject>();
        var disappeared = new List<CurrentObject>();
        foreach (var row in current)
        {
            if (!open.TryAdd((row.Kind, row.ObjectId), row)) disappeared.Add(row); // duplicate open row: close it
        }
        var appeared = new List<ReportedObject>();
        var changed = new List<(CurrentObject, ReportedObject)>();
        var unchanged = 0;
        foreach (var item in reported)
        {
            if (open.Remove((item.Kind, item.Id), out var row))
            {
                if (row.Identity != item.Identity)
                {
                    disappeared.Add(row);
                    appeared.Add(item);
                }
                else if (row.Detail != item.Detail) changed.Add((row, item));
                else unchanged++;
            }
            else appeared.Add(item);
        }
        disappeared.AddRange(open.Values);
        return new InventoryChanges(appeared, disappeared, changed, unchanged);
    }
}
