using System.Text.Json;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// This process's counters (<c>/stats</c>, <c>/threats</c>, the node heartbeat) in
/// <c>&lt;DataDirectory&gt;/waf-counters.json</c>: written after every sync and on a graceful stop,
/// read back on start, so that a restart keeps them.
/// </summary>
public sealed class CounterFile(string path)
{
    private long _savedAt = -1;

    public string Path => path;

    /// <summary>Adds the saved totals to <paramref name="counters"/>; false when there is no readable file.</summary>
    public bool Load(WafCounters counters)
    {
        if (!File.Exists(path)) return false;
        var state = JsonSerializer.Deserialize(File.ReadAllText(path), EngineFileJson.Default.CounterState);
        if (state is null) return false;
        counters.Restore(state);
        return true;
    }

    /// <summary>Writes the counters when they changed since the last write (atomically: a crash leaves the old file).</summary>
    public async Task SaveAsync(WafCounters counters, CancellationToken ct = default)
    {
        var stamp = counters.Inspected + counters.SlowClientsCut;
        if (stamp == Interlocked.Read(ref _savedAt)) return;
        var json = JsonSerializer.Serialize(counters.Save(), EngineFileJson.Default.CounterState);
        await File.WriteAllTextAsync(path + ".tmp", json, ct);
        File.Move(path + ".tmp", path, overwrite: true);
        Interlocked.Exchange(ref _savedAt, stamp);
    }
}
