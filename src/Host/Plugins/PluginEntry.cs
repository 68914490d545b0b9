using System.Reflection;
using Edgeplane.Abstractions.Plugins;

namespace Edgeplane.Host.Plugins;

/// <summary>One discovered plugin folder and what became of it at each step.</summary>
public sealed class PluginEntry(string folder, string id)
{
    public string Folder { get; } = folder;
    public string Id { get; } = id;
    public PluginManifest? Manifest { get; init; }
    public string Version => Manifest?.Version ?? "";
    public IReadOnlyList<PluginMount> Mounts { get; set; } = [];
    public PluginState State { get; private set; } = PluginState.Active;
    public string? Reason { get; private set; }
    public TimeSpan LoadTime { get; set; }
    public Assembly? Assembly { get; set; }
    public IPlugin? Instance { get; set; }

    public bool IsActive => State == PluginState.Active;

    public void Fail(string reason) => SetState(PluginState.Failed, reason);

    public void MarkIncompatible(string reason) => SetState(PluginState.Incompatible, reason);

    public void Disable() => SetState(PluginState.Disabled, "disabled by configuration");

    private void SetState(PluginState state, string reason)
    {
        if (!IsActive) return; // the first failure is the one worth reporting
        State = state;
        Reason = reason.ReplaceLineEndings(" ");
    }
}
