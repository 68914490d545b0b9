using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Domain;

/// <summary>What became of one change: applied, or why not (the errors name the request's fields; a duplicate's error has the empty key).</summary>
public enum ChangeOutcome
{
    Applied,
    /// <summary>The input itself is invalid (a 400 for a single record).</summary>
    Invalid,
    /// <summary>It contradicts the zone's data: CNAME exclusivity (a 400 for a single record, as before).</summary>
    Conflict,
    /// <summary>An identical record is already there (409).</summary>
    Duplicate,
    /// <summary>It does not fit its RRset's TTL or a zone cut (409).</summary>
    Refused,
    /// <summary>No record has that index (404 for a single record).</summary>
    Missing,
}

public sealed record ChangeResult(ChangeOutcome Outcome, DnsRecord? Record, Dictionary<string, List<string>> Errors)
{
    public bool Applied => Outcome == ChangeOutcome.Applied;
}

/// <summary>
/// One zone's records being changed inside one store transaction: every add, edit and delete is checked exactly as a
/// single <c>/zone/[ZONE]/add</c> is (field validation, duplicates, CNAME exclusivity, zone cuts, one TTL per RRset)
/// against the records as the earlier changes left them. <see cref="Difference"/> is what the store writes: <see cref="Applying"/>
/// hands the store's write path (<see cref="ZoneStore.WriteRecordsAsync"/>) the changes a request makes.
/// </summary>
public sealed class RecordChangeSet
{
    private readonly string _zone;
    private readonly IReadOnlyList<string> _childZones;
    private readonly Dictionary<int, DnsRecord> _original;
    private readonly Dictionary<int, DnsRecord> _byIndex;
    private readonly Dictionary<string, List<DnsRecord>> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, DnsRecord> _delegations = [];
    private readonly int _firstNextIndex;

    public RecordChangeSet(string zone, IReadOnlyList<DnsRecord> existing, IReadOnlyList<string> childZones, int nextIndex)
    {
        _zone = zone;
        _childZones = childZones;
        NextIndex = _firstNextIndex = nextIndex;
        _original = existing.ToDictionary(r => r.Index);
        _byIndex = [];
        foreach (var record in existing) Insert(record);
    }

    /// <summary>The store's change function for the changes <paramref name="apply"/> makes (false: refused, nothing is stored).</summary>
    public static Func<ZoneRecords, RecordEdit?> Applying(Func<RecordChangeSet, bool> apply) => zone =>
    {
        var changes = new RecordChangeSet(zone.Zone, zone.Records, zone.ChildZones, zone.NextIndex);
        if (!apply(changes)) return null;
        var (removed, added) = changes.Difference();
        return new RecordEdit(removed, added, changes.NextIndex, changes.Records);
    };

    public string Zone => _zone;

    /// <summary>The index the next added record gets.</summary>
    public int NextIndex { get; private set; }

    /// <summary>The records as the changes so far left them, by index.</summary>
    public IEnumerable<DnsRecord> Records => _byIndex.Values.OrderBy(r => r.Index);

    /// <summary>Adds a record under the next index; without <paramref name="ttlGiven"/> it takes its RRset's TTL.</summary>
    public ChangeResult Add(RecordInput input, bool ttlGiven)
    {
        var result = Check(input, ttlGiven);
        if (!result.Applied) return result;
        var record = result.Record! with { Index = NextIndex++ };
        Insert(record);
        return result with { Record = record };
    }

    /// <summary>
    /// Replaces the record at <paramref name="index"/>, keeping its index; fields left null in <paramref name="input"/>
    /// keep the record's values (a TTL left out takes the RRset's).
    /// </summary>
    public ChangeResult Edit(int index, RecordInput input)
    {
        if (!_byIndex.TryGetValue(index, out var old)) return Missing(index);
        Remove(old);
        var merged = new RecordInput(
            input.Label ?? DnsNames.Absolute(old.Name, _zone) + ".",
            input.Type ?? old.Type,
            input.Ttl ?? old.Ttl,
            input.Value ?? (old.Value.Length == 0 && old.Type is "MX" or "SRV" ? "." : old.Value),
            input.Priority ?? old.Priority, input.Weight ?? old.Weight, input.Port ?? old.Port, input.Flags ?? old.Flags, input.Tag ?? old.Tag);
        var result = Check(merged, ttlGiven: input.Ttl is not null);
        if (!result.Applied)
        {
            Insert(old);
            return result;
        }
        var record = result.Record! with { Index = index };
        Insert(record);
        return result with { Record = record };
    }

    public ChangeResult Delete(int index)
    {
        if (!_byIndex.TryGetValue(index, out var old)) return Missing(index);
        Remove(old);
        return new ChangeResult(ChangeOutcome.Applied, old, []);
    }

    /// <summary>
    /// What to write (call once, at the end): the original records that are gone or changed, and the records that are new or changed. A record
    /// deleted and added again unchanged (same data and TTL) keeps its original index and is in neither list, so a
    /// replace that repeats most of a zone touches only what differs; the new records take the zone's next indexes.
    /// </summary>
    public (List<DnsRecord> Removed, List<DnsRecord> Added) Difference()
    {
        var removed = _original.Values.Where(r => !_byIndex.TryGetValue(r.Index, out var now) || now != r).ToList();
        var added = _byIndex.Values.Where(r => !_original.TryGetValue(r.Index, out var was) || was != r).ToList();
        var reusable = removed.Where(r => !_byIndex.ContainsKey(r.Index)).ToLookup(Identity);
        var taken = new HashSet<int>();
        foreach (var record in added.Where(r => !_original.ContainsKey(r.Index)).ToList())
        {
            if (reusable[Identity(record)].FirstOrDefault(r => !taken.Contains(r.Index)) is not { } same) continue;
            taken.Add(same.Index);
            removed.Remove(same);
            added.Remove(record);
            Remove(record);
            Insert(same);
        }
        // Indexes handed out in this transaction were never seen outside it: the new records take the next ones in order.
        var next = _firstNextIndex;
        foreach (var record in added.Where(r => r.Index >= _firstNextIndex).OrderBy(r => r.Index).ToList())
        {
            var renumbered = record with { Index = next++ };
            if (renumbered.Index == record.Index) continue;
            Remove(record);
            Insert(renumbered);
            added[added.IndexOf(record)] = renumbered;
        }
        NextIndex = next;
        return (removed, added.OrderBy(r => r.Index).ToList());
    }

    private static (string, int) Identity(DnsRecord r) => (r.DataKey, r.Ttl);

    private ChangeResult Check(RecordInput input, bool ttlGiven)
    {
        var errors = new Dictionary<string, List<string>>();
        var record = RecordValidator.Validate(_zone, input, errors);
        if (record is null) return new ChangeResult(ChangeOutcome.Invalid, null, errors);
        var same = _byName.TryGetValue(record.Name, out var list) ? list : [];
        RecordValidator.CheckConflicts(same, record, errors, out var duplicate);
        if (duplicate)
            return new ChangeResult(ChangeOutcome.Duplicate, null, new() { [""] = ["an identical record already exists"] });
        if (errors.Count > 0) return new ChangeResult(ChangeOutcome.Conflict, null, errors);
        // Only an NS record can hide data below it; anything else is checked against the delegations alone.
        var placement = record.Type == "NS" ? _byIndex.Values.ToList() : _delegations.Values.ToList();
        RecordPlacement.CheckCuts(_zone, placement, _childZones, record, errors);
        record = RecordPlacement.FitTtl(_zone, same, record, ttlGiven, errors);
        return errors.Count > 0 ? new ChangeResult(ChangeOutcome.Refused, null, errors) : new ChangeResult(ChangeOutcome.Applied, record, errors);
    }

    private static ChangeResult Missing(int index) =>
        new(ChangeOutcome.Missing, null, new() { ["index"] = [$"no record has index {index} (see /zone/[ZONE]/records)"] });

    private void Insert(DnsRecord record)
    {
        _byIndex[record.Index] = record;
        if (!_byName.TryGetValue(record.Name, out var list)) _byName[record.Name] = list = [];
        list.Add(record);
        if (record.Type == "NS" && record.Name != "@") _delegations[record.Index] = record;
    }

    private void Remove(DnsRecord record)
    {
        _byIndex.Remove(record.Index);
        _byName[record.Name].RemoveAll(r => r.Index == record.Index);
        _delegations.Remove(record.Index);
    }
}
