using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Support;

/// <summary>Drives the real gRPC client (@grpc/grpc-js + @grpc/proto-loader, in node/) as a process.</summary>
public static class NodeGrpc
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static bool _installed;

    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "Edgeplane.Plugins.Rollouts.Tests", "node");
    public static string Proto => Path.Combine(RepoPaths.Root, "plugins", "Rollouts", "Protos", "device.proto");

    /// <summary>Runs <c>npm ci</c> through node/install.sh when node_modules is missing.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (_installed) return;
            var (code, output) = await RunAsync("bash", [Path.Combine(Folder, "install.sh")], TimeSpan.FromMinutes(5));
            if (code != 0) throw new InvalidOperationException("npm install of @grpc/grpc-js failed: " + output);
            _installed = true;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Calls <paramref name="method"/>; the result is <c>{ok, response}</c> or <c>{ok: false, code, details}</c>.</summary>
    public static async Task<JsonObject> CallAsync(string target, string caPath, string method, object request, string? certPath = null, string? keyPath = null,
        int? deadlineMs = null, int repeat = 1)
    {
        await EnsureInstalledAsync();
        var requestPath = Path.Combine(Path.GetTempPath(), $"grpc-req-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(requestPath, JsonSerializer.Serialize(request, JsonSerializerOptions.Web));
        try
        {
            var args = new List<string> { Path.Combine(Folder, "client.js"), "--target", target, "--proto", Proto, "--method", method, "--request", requestPath, "--ca", caPath, "--repeat", repeat.ToString() };
            if (certPath is not null) args.AddRange(["--cert", certPath, "--key", keyPath!]);
            if (deadlineMs is { } d) args.AddRange(["--deadline-ms", d.ToString()]);
            var (code, output) = await RunAsync("node", args, TimeSpan.FromSeconds(60));
            var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
            if (line is null) throw new InvalidOperationException($"grpc-js client exited {code}: {output}");
            return JsonNode.Parse(line)!.AsObject();
        }
        finally
        {
            File.Delete(requestPath);
        }
    }

    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
