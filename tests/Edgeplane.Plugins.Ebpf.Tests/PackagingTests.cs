using Edgeplane.Testing;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>The systemd unit that <c>cmake --install</c> puts beside the agent (plugins/Ebpf/agent/packaging).</summary>
public sealed class PackagingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(string Unit, string ExecStart)> InstallAsync(string destDir, string? prefix)
    {
        var build = await AgentBuild.RequireAsync();
        var info = new List<string> { "--install", build };
        if (prefix is not null) info.AddRange(["--prefix", prefix]);
        var run = await AgentBuild.RunAsync("env", [$"DESTDIR={destDir}", "cmake", .. info]);
        Assert.True(run.ExitCode == 0, run.Output);
        var unit = Directory.GetFiles(destDir, "edgeplane-ebpf-agent.service", SearchOption.AllDirectories).Single();
        var text = await File.ReadAllTextAsync(unit, Ct);
        var execStart = text.Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..].Split(' ')[0];
        return (text, execStart);
    }

    [Theory]
    [InlineData(null, "/usr/local/sbin/edgeplane-ebpf-agent", "/usr/local/lib/systemd/system/edgeplane-ebpf-agent.service")] // cmake's default prefix
    [InlineData("/usr", "/usr/sbin/edgeplane-ebpf-agent", "/usr/lib/systemd/system/edgeplane-ebpf-agent.service")]
    [InlineData("/opt/edgeplane", "/opt/edgeplane/sbin/edgeplane-ebpf-agent", "/opt/edgeplane/lib/systemd/system/edgeplane-ebpf-agent.service")]
    public async Task The_unit_starts_the_binary_where_the_install_put_it(string? prefix, string binary, string unitPath)
    {
        using var dest = new TempDirectory();
        var (unit, execStart) = await InstallAsync(dest.Path, prefix);
        Assert.Equal(binary, execStart);
        Assert.True(File.Exists(dest.Path + binary), $"{binary} was not installed");
        Assert.True(File.Exists(dest.Path + unitPath), $"{unitPath} was not installed");
        Assert.Contains("\nRestartPreventExitStatus=3\n", unit); // a refused enrollment token (exit 3) is not retried forever
    }

    [Fact]
    public async Task systemd_accepts_the_installed_unit()
    {
        if (!AgentBuild.OnPath("systemd-analyze")) Assert.Skip("systemd-analyze is not installed");
        using var root = new TempDirectory();
        // installed for real under a temporary prefix, so that ExecStart names an executable that exists
        var build = await AgentBuild.RequireAsync();
        var install = await AgentBuild.RunAsync("cmake", ["--install", build, "--prefix", root.Path]);
        Assert.True(install.ExitCode == 0, install.Output);
        var unit = root.Combine("lib", "systemd", "system", "edgeplane-ebpf-agent.service");
        var verify = await AgentBuild.RunAsync("systemd-analyze", ["verify", unit]);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains($"ExecStart={root.Combine("sbin", "edgeplane-ebpf-agent")} ", await File.ReadAllTextAsync(unit, Ct));
    }
}
