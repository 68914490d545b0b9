using System.Diagnostics;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>A real NSD (Debian's) on 127.0.0.1, run in the foreground with its files in a temporary directory.</summary>
public sealed class Nsd : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _dir;

    public int Port { get; }

    private Nsd(Process process, TempDirectory dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    /// <summary>Starts NSD with the given <c>zone:</c> clauses (each a list of option lines).</summary>
    public static Task<Nsd> StartAsync(TempDirectory dir, params (string Zone, string[] Options)[] zones) =>
        StartAsync(dir, FreePort.Next(), zones);

    /// <summary>Starts NSD on <paramref name="port"/> (known before, e.g. to configure a primary's NOTIFY target).</summary>
    public static async Task<Nsd> StartAsync(TempDirectory dir, int port, params (string Zone, string[] Options)[] zones)
    {
        if (!File.Exists("/usr/sbin/nsd")) Assert.Skip("nsd is not installed (Debian nsd)");
        var config = $"""
            server:
              ip-address: 127.0.0.1@{port}
              username: ""
              chroot: ""
              zonesdir: "{dir.Path}"
              database: ""
              pidfile: "{dir.Combine("nsd.pid")}"
              xfrdfile: "{dir.Combine("xfrd.state")}"
              zonelistfile: "{dir.Combine("zone.list")}"
              xfrdir: "{dir.Path}"
              logfile: "{dir.Combine("nsd.log")}"
              rrl-ratelimit: 0
              rrl-whitelist-ratelimit: 0
              verbosity: 2
            remote-control:
              control-enable: no

            """;
        foreach (var (zone, options) in zones)
            config += $"zone:\n  name: {zone}\n" + string.Concat(options.Select(o => "  " + o + "\n"));
        await File.WriteAllTextAsync(dir.Combine("nsd.conf"), config);
        var info = new ProcessStartInfo("/usr/sbin/nsd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-d", "-c", dir.Combine("nsd.conf")]) info.ArgumentList.Add(a);
        return new Nsd(Process.Start(info)!, dir, port);
    }

    public string Log => File.Exists(_dir.Combine("nsd.log")) ? File.ReadAllText(_dir.Combine("nsd.log")) : "(no log)";

    /// <summary>Waits until <paramref name="condition"/> holds; fails with NSD's log when it exits or does not in time.</summary>
    public async Task WaitForAsync(Func<Task<bool>> condition, int timeoutMs = 30000)
    {
        try
        {
            await DnsServerTests.WaitForAsync(async () => _process.HasExited || await condition(), timeoutMs);
            if (!_process.HasExited) return;
        }
        catch (TimeoutException) { }
        Assert.Fail($"NSD {(_process.HasExited ? $"exited with {_process.ExitCode}" : $"did not get there in {timeoutMs} ms")}; its log:\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
