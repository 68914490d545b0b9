using System.Diagnostics;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>A throwaway PostgreSQL (Debian's) on 127.0.0.1, run as the <c>postgres</c> user when the tests run as root.</summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private Process? _process;

    public int Port { get; } = FreePort.Next();
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true";

    public static string? Bin => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")))
        : null;

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Bin;
        if (bin is null) Assert.Skip("PostgreSQL is not installed (Debian postgresql)");
        var server = new PostgresServer();
        var data = server._dir.Combine("data");
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", "postgres", server._dir.Path);
        await RunAsync(asRoot, Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        var info = Start(asRoot, Path.Combine(bin, "postgres"), "-D", data, "-p", server.Port.ToString(), "-k", server._dir.Path,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200");
        server._process = Process.Start(info)!;
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync("127.0.0.1", server.Port);
                await Task.Delay(300);
                return server;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException("PostgreSQL did not start");
    }

    private static ProcessStartInfo Start(bool asRoot, string program, params string[] args)
    {
        var info = asRoot ? new ProcessStartInfo("runuser") : new ProcessStartInfo(program);
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        if (asRoot) foreach (var a in (string[])["-u", "postgres", "--", program]) info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    private static Task RunAsync(string program, params string[] args) => RunAsync(false, program, args);

    private static async Task RunAsync(bool asRoot, string program, params string[] args)
    {
        using var process = Process.Start(Start(asRoot, program, args))!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed: {output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _dir.Dispose();
    }
}
