using Edgeplane.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Edgeplane.Host.Tests.Composition;

/// <summary>
/// A file watcher on the content root watches it recursively, so every write to a SQLite database or snapshot
/// under it (the default data folder <c>.data</c> is there) wakes the watcher: the host reads its settings once.
/// </summary>
public sealed class ContentRootWatchTests
{
    [Fact]
    public async Task The_host_does_not_watch_its_settings_files_for_changes()
    {
        using var dir = new TempDirectory();
        await using var app = await InProcessHost.BuildAsync(dir);
        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<JsonConfigurationProvider>().Select(p => p.Source).ToList();
        Assert.NotEmpty(files);
        Assert.All(files, source => Assert.False(source.ReloadOnChange, $"{source.Path} is watched for changes"));
    }
}
