using Edgeplane.Host.Composition;
using Edgeplane.Testing;
using Microsoft.AspNetCore.Builder;

namespace Edgeplane.Host.Tests;

/// <summary>The host built in this process (not started) with the five first-party plugins and its data in <paramref name="dir"/>.</summary>
internal static class InProcessHost
{
    public static Task<WebApplication> BuildAsync(TempDirectory dir) => EdgeplaneApplication.BuildAsync([
        $"--Edgeplane:DataDirectory={dir.Combine("data")}",
        $"--Edgeplane:Plugins:Directories:0={Path.Combine(RepoPaths.HostDirectory, "plugins")}",
        "--urls=http://127.0.0.1:0",
    ]);
}
