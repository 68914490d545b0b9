using System.Reflection;
using Edgeplane.Abstractions.Plugins;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// One discovered plugin folder and its life (<see cref="PluginState"/>): it moves forward one step at a time
/// and owns its endpoints, so that a plugin that fails at any time — a background service that fails long after
/// startup included — withdraws them from routing at once.
/// </summary>
public sealed class PluginEntry(string folder, string id)
{
    private readonly Lock _gate = new();
    private IReadOnlyList<ServedEndpointDataSource> _endpoints = [];

    public string Folder { get; } = folder;
    public string Id { get; } = id;
    public PluginManifest? Manifest { get; init; }
    public string Version => Manifest?.Version ?? "";
    public IReadOnlyList<PluginMount> Mounts { get; set; } = [];
    public PluginState State { get; private set; } = PluginState.Discovered;
    public string? Reason { get; private set; }
    /// <summary>The exception that failed the plugin, when one did (logged with its type and stack).</summary>
    public Exception? Error { get; private set; }
    public TimeSpan LoadTime { get; set; }
    public Assembly? Assembly { get; set; }
    public IPlugin? Instance { get; set; }
    /// <summary>The entry assembly's route modules, mapped in this order.</summary>
    public IReadOnlyList<Type> Modules { get; set; } = [];

    /// <summary>What is wrong with the plugin without stopping it (e.g. a copy of an assembly the host provides), logged as warnings.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Raised once, when the plugin leaves the line (failed, disabled or incompatible).</summary>
    public event Action<PluginEntry>? Left;

    /// <summary>Still on its way to <see cref="PluginState.Active"/>, or there: not failed, disabled or incompatible.</summary>
    public bool IsLive => State is not (PluginState.Failed or PluginState.Disabled or PluginState.Incompatible);

    /// <summary>
    /// Moves to <paramref name="next"/>, which must be the step after the current one. A plugin that has left the
    /// line (failed meanwhile on another thread, e.g. while its routes were built) stays where it is.
    /// </summary>
    public void Advance(PluginState next)
    {
        lock (_gate)
        {
            if (!IsLive) return;
            if (next > PluginState.Active || next != State + 1)
                throw new InvalidOperationException($"plugin '{Id}' cannot go from {State} to {next}");
            State = next;
        }
    }

    /// <summary>Takes the plugin's built endpoints and moves to <see cref="PluginState.Mapped"/>; a plugin that is out withdraws them.</summary>
    public void Map(IReadOnlyList<ServedEndpointDataSource> endpoints)
    {
        lock (_gate)
        {
            _endpoints = endpoints;
            if (IsLive)
            {
                if (State != PluginState.Migrated) throw new InvalidOperationException($"plugin '{Id}' cannot go from {State} to {PluginState.Mapped}");
                State = PluginState.Mapped;
                return;
            }
        }
        Withdraw(endpoints);
    }

    public void Fail(string reason, Exception? error = null) => Leave(PluginState.Failed, reason, error);

    public void MarkIncompatible(string reason) => Leave(PluginState.Incompatible, reason, null);

    public void Disable() => Leave(PluginState.Disabled, "disabled by configuration", null);

    private void Leave(PluginState state, string reason, Exception? error)
    {
        IReadOnlyList<ServedEndpointDataSource> endpoints;
        lock (_gate)
        {
            if (!IsLive) return; // the first failure is the one worth reporting
            State = state;
            Reason = reason.ReplaceLineEndings(" ");
            Error = error;
            endpoints = _endpoints;
        }
        Withdraw(endpoints);
        Left?.Invoke(this);
    }

    private static void Withdraw(IEnumerable<ServedEndpointDataSource> endpoints)
    {
        foreach (var source in endpoints) source.Withdraw();
    }
}
