namespace Edgeplane.Testing;

/// <summary>How a test starts the host.</summary>
public sealed record HostOptions
{
    /// <summary>
    /// Folder names under the host's default plugin directory to load (each test host gets its own
    /// directory of links to them), e.g. <c>["Edgeplane.Plugins.Dns"]</c>. Null loads the default directory as it is.
    /// </summary>
    public IReadOnlyList<string>? Plugins { get; init; }

    /// <summary>Extra environment variables, e.g. <c>Edgeplane__Plugins__dns__Mount</c>.</summary>
    public Dictionary<string, string?> Environment { get; init; } = [];

    /// <summary>Extra command-line arguments.</summary>
    public string[] Arguments { get; init; } = [];

    /// <summary>A data directory to reuse (e.g. for a restart); by default a new temporary one.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Whether the start waits until the host serves and its plugins have started (false: the caller waits, <see cref="HostProcess.WaitUntilServingAsync"/>).</summary>
    public bool WaitUntilServing { get; init; } = true;
}
