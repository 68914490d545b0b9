using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary>The third-party sample, as a stranger would use it: build it, drop it in a folder, start the host, call it.</summary>
[Collection(PackingCollection.Name)]
public sealed class SamplePluginTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task RunAsync(string arguments)
    {
        var info = new ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"dotnet {arguments}\n{await output}");
    }

    [Fact]
    public async Task The_sample_builds_loads_migrates_and_serves_its_routes()
    {
        var folder = _dir.Combine("plugins", "bookmarks");
        await RunAsync($"build samples/Bookmarks/Bookmarks.csproj -c {RepoPaths.Configuration} -nologo -v q");
        TempDirectory.CopyDirectory(Path.Combine(RepoPaths.Root, "samples", "Bookmarks", "bin", RepoPaths.Configuration, "net10.0"), folder);
        Assert.True(File.Exists(Path.Combine(folder, "Markdig.dll")), "the private dependency ships with the plugin");
        Assert.False(File.Exists(Path.Combine(folder, "Edgeplane.Abstractions.dll")), "the SDK comes from the host");

        await using var host = await HostProcess.StartAsync(new HostOptions { Environment = { ["Edgeplane__Plugins__Directories"] = _dir.Combine("plugins") } });
        using var admin = host.AdminClient();
        using var created = await admin.PostAsJsonAsync("/bookmarks/api/bookmarks/", new { url = "https://example.org/", title = "Example", notes = "**bold** <script>x</script>" }, Ct);
        var bookmark = await created.Content.ReadFromJsonAsync<JsonObject>(Ct);
        var page = await admin.GetFromJsonAsync<JsonObject>("/bookmarks/api/bookmarks/", Ct);
        using var invalid = await admin.PostAsJsonAsync("/bookmarks/api/bookmarks/", new { url = "ftp:/nope", title = "" }, Ct);
        using var anonymous = await host.Client.GetAsync("/bookmarks/api/bookmarks/", Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("<strong>bold</strong>", (string)bookmark!["notesHtml"]!);
        Assert.DoesNotContain("<script>", (string)bookmark["notesHtml"]!);
        Assert.Equal(1, (int)page!["total"]!);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("url") && errors.ContainsKey("title"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task The_sdk_packs_as_a_versioned_nuget_package_with_xml_docs_and_its_readme()
    {
        var feed = _dir.Combine("feed");
        await RunAsync($"pack src/Abstractions/Edgeplane.Abstractions.csproj -c {RepoPaths.Configuration} -o {feed} -nologo -v q");

        var package = Assert.Single(Directory.GetFiles(feed, "Edgeplane.Abstractions.*.nupkg"));
        var sdk = Edgeplane.Abstractions.Plugins.SdkInfo.Version;
        Assert.Equal(2, sdk.Major);
        Assert.EndsWith($"Edgeplane.Abstractions.{sdk.ToString(3)}.nupkg", package); // the package's version is the assembly's
        using var zip = ZipFile.OpenRead(package);
        Assert.Contains(zip.Entries, e => e.FullName == "lib/net10.0/Edgeplane.Abstractions.dll");
        Assert.Contains(zip.Entries, e => e.FullName == "lib/net10.0/Edgeplane.Abstractions.xml");
        Assert.Contains(zip.Entries, e => e.FullName == "README.md");
    }

    public void Dispose() => _dir.Dispose();
}
