using System.Diagnostics;
using System.Text;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>Builds the native agent with CMake once per test run (into a git-ignored folder) and runs processes.</summary>
public static class AgentBuild
{
    private static readonly Lazy<Task<string?>> Built = new(BuildAsync);
    private static string? _skipReason;

    public static string SourceDirectory => Path.Combine(RepoPaths.Root, "plugins", "Ebpf", "agent");
    public static string BuildDirectory => Path.Combine(SourceDirectory, "build-tests");
    public static string Agent => Path.Combine(BuildDirectory, "edgeplane-ebpf-agent");
    public static string Fixture => Path.Combine(BuildDirectory, "ebpf-fixture");

    /// <summary>The build directory, or a skip naming what is missing.</summary>
    public static async Task<string> RequireAsync()
    {
        var dir = await Built.Value;
        if (dir is null) Assert.Skip(_skipReason ?? "agent not built");
        return dir;
    }

    private static async Task<string?> BuildAsync()
    {
        foreach (var tool in (string[])["cmake", "pkg-config", "cc"])
            if (!OnPath(tool)) { _skipReason = $"{tool} is not installed (build/install-test-deps.sh installs it)"; return null; }
        var probe = await RunAsync("pkg-config", ["--exists", "libbpf", "libcurl"]);
        if (probe.ExitCode != 0) { _skipReason = "libbpf-dev or libcurl4-openssl-dev is not installed"; return null; }
        var configure = await RunAsync("cmake", ["-S", SourceDirectory, "-B", BuildDirectory, "-DCMAKE_BUILD_TYPE=Release"]);
        if (configure.ExitCode != 0) throw new InvalidOperationException("cmake configure failed:\n" + configure.Output);
        var build = await RunAsync("cmake", ["--build", BuildDirectory, "-j2"]);
        if (build.ExitCode != 0) throw new InvalidOperationException("cmake build failed:\n" + build.Output);
        return BuildDirectory;
    }

    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }
}

/// <summary>The fixture helper: holds real maps and programs loaded through libbpf until disposed.</summary>
public sealed class BpfFixtureProcess : IAsyncDisposable
{
    private readonly Process _process;
    public IReadOnlyList<long> MapIds { get; }
    public IReadOnlyList<long> ProgramIds { get; }

    private BpfFixtureProcess(Process process, IReadOnlyList<long> maps, IReadOnlyList<long> programs)
    {
        _process = process;
        MapIds = maps;
        ProgramIds = programs;
    }

    /// <summary>Loads the objects, or skips the test when this process may not use bpf().</summary>
    public static async Task<BpfFixtureProcess> StartAsync(int maps, int programs, string prefix)
    {
        var info = new ProcessStartInfo(AgentBuild.Fixture) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--maps", maps.ToString(), "--programs", programs.ToString(), "--prefix", prefix]) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        var line = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null)
        {
            var err = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            p.Dispose();
            if (err.Contains("Operation not permitted") || err.Contains("Permission denied"))
                Assert.Skip("this process may not create BPF objects (no CAP_BPF): " + err.Trim());
            throw new InvalidOperationException("ebpf-fixture failed: " + err);
        }
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        return new BpfFixtureProcess(p,
            doc.RootElement.GetProperty("maps").EnumerateArray().Select(e => e.GetInt64()).ToList(),
            doc.RootElement.GetProperty("programs").EnumerateArray().Select(e => e.GetInt64()).ToList());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000)) _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
