using System.Diagnostics;
using Edgeplane.Plugins.Compute.Engine;

namespace Edgeplane.Plugins.Compute.Tests;

/// <summary>
/// A private, real podman engine serving the Docker-compatible API on a unix socket, set up by
/// podman/podman-env.sh (own storage, runc, ulimits within the sandbox's hard limits) with the
/// busybox test image imported. Tests skip with the reason when podman is not installed.
/// </summary>
public sealed class PodmanEngine : IAsyncLifetime
{
    public const string TestImage = "localhost/edgeplane/busybox:test";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "edgeplane-compute-" + Guid.NewGuid().ToString("N")[..12]);

    public static string Script => Path.Combine(AppContext.BaseDirectory, "podman", "podman-env.sh");

    public string? SkipReason { get; private set; }
    public string SocketPath => Path.Combine(_directory, "podman.sock");
    public string Address => "unix://" + SocketPath;

    public DockerEngineClient Client() => new(EngineEndpoint.Unix(SocketPath));

    public void SkipIfUnavailable()
    {
        if (SkipReason is not null) Assert.Skip(SkipReason);
    }

    public async ValueTask InitializeAsync()
    {
        if (!OnPath("podman") || !OnPath("runc") || !OnPath("busybox"))
        {
            SkipReason = "podman, runc or busybox-static is not installed (build/install-test-deps.sh installs them)";
            return;
        }
        var (code, output) = await RunScriptAsync("start");
        if (code == 3) { SkipReason = output.Trim(); return; }
        if (code != 0) throw new InvalidOperationException($"podman-env.sh start failed ({code}):\n{output}");
    }

    /// <summary>
    /// Another API service over the same storage on <paramref name="socketPath"/>: a second node whose
    /// engine a test can stop (kill the process) and start again while its containers keep running.
    /// </summary>
    public async Task<Process> ServeAsync(string socketPath)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Script, "serve", _directory, socketPath }) info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new DockerEngineClient(EngineEndpoint.Unix(socketPath));
        for (var i = 0; i < 200; i++)
        {
            try
            {
                if (await client.PingAsync()) return process;
            }
            catch (EngineUnreachableException) { }
            await Task.Delay(50);
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("the second podman service did not start");
    }

    /// <summary>Runs the podman CLI against this engine's storage.</summary>
    public async Task<(int Code, string Output)> PodmanAsync(params string[] args) => await RunScriptAsync(["podman", .. args]);

    private async Task<(int Code, string Output)> RunScriptAsync(params string[] args)
    {
        var command = args[0];
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(command);
        info.ArgumentList.Add(_directory);
        foreach (var arg in args.Skip(1)) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    public async ValueTask DisposeAsync()
    {
        if (SkipReason is null) await RunScriptAsync("stop");
    }
}
