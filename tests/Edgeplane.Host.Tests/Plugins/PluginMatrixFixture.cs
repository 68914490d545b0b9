using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary>
/// One host over a plugin directory assembled from the built test plugins: a good one, one per
/// failure mode (two whose background service fails: at start, and while running), two with conflicting private dependencies, a disabled one and one on its own port.
/// </summary>
public sealed class PluginMatrixFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public HostProcess Host { get; private set; } = null!;
    public string DataDirectory => _dir.Combine("data");
    public int DedicatedPort { get; } = FreePort.Next();
    public int ShoutPort { get; } = FreePort.Next();
    public int WhisperPort { get; } = FreePort.Next();
    public int SeedPort { get; } = FreePort.Next();
    /// <summary>Where the early services (<c>IPluginBuilder.StartEarly</c>) of <c>crashing</c> and <c>stalling</c> listen while they run.</summary>
    public int CrashingEarlyPort { get; } = FreePort.Next();
    public int StallingEarlyPort { get; } = FreePort.Next();

    public async ValueTask InitializeAsync()
    {
        var plugins = _dir.Combine("plugins");
        Copy("Greeter", plugins, "greeter");
        Copy("Shouter", plugins, "shouter");
        Copy("Throwing", plugins, "throwing");
        Copy("Greeter", plugins, "broken", m => File.WriteAllText(m, "{ \"id\": \"broken\", "));
        Copy("Greeter", plugins, "future", m => Edit(m, "future", sdk: "[3.0,4.0)"));
        // built against SDK 1.0 (its reference rewritten as a compiler would have written it), claiming a range that includes 2.0
        Copy("Greeter", plugins, "legacy", m =>
        {
            Edit(m, "legacy", sdk: "[1.0,3.0)");
            SdkReference.Set(Path.Combine(Path.GetDirectoryName(m)!, "Edgeplane.TestPlugins.Greeter.dll"), new Version(1, 0, 0, 0));
        });
        Copy("Greeter", plugins, "lonely", m => { Edit(m, "lonely"); File.Delete(Path.Combine(Path.GetDirectoryName(m)!, "Humanizer.dll")); });
        Copy("Greeter", plugins, "sleepy", m => Edit(m, "sleepy"));
        Copy("Shouter", plugins, "porter", m => Edit(m, "porter"));
        Copy("Shouter", plugins, "multi", m => Edit(m, "multi"));
        Copy("Greeter", plugins, "zz-duplicate");
        Copy("Greeter", plugins, "nameless", m => Edit(m, "nameless", entry: "Missing.dll"));
        Copy("Greeter", plugins, "noseed", m => Edit(m, "noseed"));
        Copy("Crashing", plugins, "crashing");
        Copy("Crashing", plugins, "stalling", m => Edit(m, "stalling"));
        Copy("Crashing", plugins, "unbound", m => Edit(m, "unbound"));
        Copy("Shouter", plugins, "carrier", m =>
        {
            Edit(m, "carrier");
            File.Copy(Path.Combine(RepoPaths.HostDirectory, "Microsoft.Data.Sqlite.dll"), Path.Combine(Path.GetDirectoryName(m)!, "Microsoft.Data.Sqlite.dll"));
        });
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(plugins, "notes")).FullName, "readme.txt"), "not a plugin");

        Host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Edgeplane__Plugins__Directories"] = plugins,
            ["Edgeplane__DataDirectory"] = _dir.Combine("data"),
            ["Edgeplane__Plugins__sleepy__Enabled"] = "false",
            ["Edgeplane__Plugins__porter__Mount"] = $"http://127.0.0.1:{DedicatedPort}",
            ["Edgeplane__Plugins__greeter__Salutation"] = "Howdy",
            ["Edgeplane__Plugins__stalling__FailAtStart"] = "true",
            ["Edgeplane__Plugins__crashing__EarlyPort"] = CrashingEarlyPort.ToString(),
            ["Edgeplane__Plugins__stalling__EarlyPort"] = StallingEarlyPort.ToString(),
            ["Edgeplane__Plugins__unbound__UnbindableRoute"] = "true",
            ["Edgeplane__Plugins__multi__Mounts__0"] = "/multi",
            ["Edgeplane__Plugins__multi__Mounts__1__At"] = $":{ShoutPort}",
            ["Edgeplane__Plugins__multi__Mounts__1__Paths__0"] = "/shout",
            ["Edgeplane__Plugins__multi__Mounts__2__At"] = $"http://127.0.0.1:{WhisperPort}",
            ["Edgeplane__Plugins__multi__Mounts__2__Paths__0"] = "/whisper",
            ["Edgeplane__Plugins__multi__Mounts__3__At"] = $":{SeedPort}",
            ["Edgeplane__Plugins__multi__Mounts__3__Profile"] = "seed",
            ["Edgeplane__Plugins__multi__Mounts__4__At"] = "/multi-seed",
            ["Edgeplane__Plugins__multi__Mounts__4__Profile"] = "Seed",
            ["Edgeplane__Plugins__noseed__Mounts__0__At"] = "/noseed",
            ["Edgeplane__Plugins__noseed__Mounts__0__Profile"] = "seed",
        });
    }

    private static void Copy(string built, string plugins, string folder, Action<string>? editManifest = null)
    {
        var target = Path.Combine(plugins, folder);
        TempDirectory.CopyDirectory(RepoPaths.TestPlugin(built), target);
        editManifest?.Invoke(Path.Combine(target, "plugin.json"));
    }

    private static void Edit(string manifestPath, string id, string? sdk = null, string? entry = null)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["id"] = id;
        if (sdk is not null) manifest["sdk"] = sdk;
        if (entry is not null) manifest["entryAssembly"] = entry;
        manifest["permissions"] = new JsonArray();
        File.WriteAllText(manifestPath, manifest.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _dir.Dispose();
    }
}
