using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary>
/// Every plugin that answers 201 with a <c>Location</c>, mounted where its author did not expect (<c>/at/{id}</c>): the
/// header leads to the object just made.
/// </summary>
[Collection(PackingCollection.Name)]
public sealed partial class MountedLinkTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Location_headers_lead_to_the_created_object_under_a_non_default_mount()
    {
        var sample = await BuildSampleAsync();
        await using var host = await HostProcess.StartAsync(new HostOptions
        {
            Environment = new()
            {
                ["Edgeplane__Plugins__Directories__0"] = HostProcess.DefaultPluginDirectory,
                ["Edgeplane__Plugins__Directories__1"] = sample,
                ["Edgeplane__Plugins__dns__Mount"] = "/at/dns",
                ["Edgeplane__Plugins__ebpf__Mount"] = "/at/ebpf",
                ["Edgeplane__Plugins__rollouts__Mount"] = "/at/rollouts",
                ["Edgeplane__Plugins__waf__Mount"] = "/at/waf",
                ["Edgeplane__Plugins__bookmarks__Mount"] = "/at/bookmarks",
                ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{FreePort.Next()}",
                ["Edgeplane__Plugins__rollouts__DeviceApi__Port"] = FreePort.Next().ToString(),
                ["Edgeplane__Plugins__waf__Proxy__Listen"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["Edgeplane__Plugins__waf__Proxy__Upstream"] = $"http://127.0.0.1:{FreePort.Next()}",
            },
        });
        using var identity = await IdentityClient.SignInAsAdminAsync(host);
        var teamId = await identity.CreateTeamAsync("mounted");
        using var team = host.ClientWithKey(await identity.KeyForNewMemberAsync(teamId, "admin"));
        using var admin = host.AdminClient();
        var zone = $"m{Guid.NewGuid():N}"[..14] + ".example";

        await FollowAsync(team, "/at/dns/api/zones/add", new { zone }, "zone");
        await FollowAsync(team, $"/at/dns/api/zone/{zone}/add", new { label = "www", type = "A", ttl = 300, value = "192.0.2.1" }, "zone");
        await FollowAsync(admin, "/at/dns/api/nodes/add", new { name = "mounted-node", address = "127.0.0.1", port = 1, location = "Paris" }, "nodes");
        var token = await FollowAsync(team, $"/at/ebpf/api/v1/teams/{teamId}/enrollment-tokens", new { name = "fleet" }, "id");
        await FollowAsync(host.Client, "/at/ebpf/api/v1/nodes/enroll", new { token = (string)token["secret"]!, name = "node-1" }, "id", follower: team);
        await FollowAsync(team, "/at/rollouts/api/v1/groups", new { name = "mounted", selector = new { matchLabels = new { fleet = "m" } } }, "id");
        await FollowAsync(team, "/at/rollouts/api/v1/incidents", new { title = "bad build", severity = "high" }, "id");
        await FollowAsync(team, "/at/waf/api/v1/rules", new { pattern = "mounted-contraband", action = "block", severity = "high", targets = "query" }, "id");
        await FollowAsync(team, "/at/bookmarks/api/bookmarks/", new { url = "https://example.org/", title = "Example" }, "id");
    }

    /// <summary>The whole class of bug: a plugin that writes a Location path by hand ignores its mount.</summary>
    [Fact]
    public void Plugins_build_every_location_with_PluginLink()
    {
        var sources = new[] { "plugins", "samples" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var handWritten = sources.SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, i)))
            .Where(x => HandWrittenLocation().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(RepoPaths.Root, x.file)}:{x.i + 1}: {x.line.Trim()}").ToList();
        Assert.True(handWritten.Count == 0, "Location paths written by hand (use HttpContext.PluginLink):\n" + string.Join('\n', handWritten));
    }

    [GeneratedRegex(@"(Created|Accepted)\(\$?""|Headers\.Location\s*=\s*\$?""")]
    private static partial Regex HandWrittenLocation();

    /// <summary>Creates with <paramref name="creator"/>, then GETs the Location with <paramref name="follower"/> (the creator by default).</summary>
    private static async Task<JsonObject> FollowAsync(HttpClient creator, string path, object body, string property, HttpClient? follower = null)
    {
        using var created = await creator.PostAsJsonAsync(path, body, Ct);
        var text = await created.Content.ReadAsStringAsync(Ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)created.StatusCode} {text}");
        var location = created.Headers.Location;
        Assert.True(location is not null, $"POST {path}: 201 without Location");
        var target = new Uri(created.RequestMessage!.RequestUri!, location);
        using var followed = await (follower ?? creator).GetAsync(target, Ct);
        var found = await followed.Content.ReadAsStringAsync(Ct);
        Assert.True(followed.StatusCode == HttpStatusCode.OK, $"POST {path} → Location {location} → GET {target.AbsolutePath}: {(int)followed.StatusCode} {found}");
        Assert.True(JsonNode.Parse(found)!.ToJsonString().Contains($"\"{property}\"", StringComparison.Ordinal), $"GET {target.AbsolutePath}: {found}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<string> BuildSampleAsync()
    {
        var info = new ProcessStartInfo("dotnet", $"build samples/Bookmarks/Bookmarks.csproj -c {RepoPaths.Configuration} -nologo -v q")
            { RedirectStandardOutput = true, WorkingDirectory = RepoPaths.Root };
        using (var build = Process.Start(info)!)
        {
            var output = build.StandardOutput.ReadToEndAsync(Ct);
            await build.WaitForExitAsync(Ct);
            Assert.True(build.ExitCode == 0, await output);
        }
        TempDirectory.CopyDirectory(Path.Combine(RepoPaths.Root, "samples", "Bookmarks", "bin", RepoPaths.Configuration, "net10.0"), _dir.Combine("plugins", "bookmarks"));
        return _dir.Combine("plugins");
    }

    public void Dispose() => _dir.Dispose();
}
