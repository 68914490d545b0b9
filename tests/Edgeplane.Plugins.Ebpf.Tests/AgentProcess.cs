using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>The agent running in its default (reporting) mode, with its log captured.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public AgentProcess(params string[] args)
    {
        var info = new ProcessStartInfo(AgentBuild.Agent) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public string Log { get { lock (_log) return _log.ToString(); } }
    public bool HasExited => _process.HasExited;

    public int Count(string text) => Log.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>SIGTERM, as systemd stops it; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited) await AgentBuild.RunAsync("kill", ["-TERM", _process.Id.ToString()]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>A TCP forwarder on 127.0.0.1 that can be started late: "the host comes back".</summary>
public sealed class TcpForwarder : IDisposable
{
    private readonly int _target;
    private TcpListener? _listener;
    private readonly CancellationTokenSource _cts = new();

    public TcpForwarder(int port, int target)
    {
        Port = port;
        _target = target;
    }

    public int Port { get; }

    public void Start()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptAsync(_listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(_cts.Token); }
            catch { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                using (var upstream = new TcpClient())
                {
                    try
                    {
                        await upstream.ConnectAsync(IPAddress.Loopback, _target, _cts.Token);
                        var a = client.GetStream();
                        var b = upstream.GetStream();
                        await Task.WhenAny(a.CopyToAsync(b, _cts.Token), b.CopyToAsync(a, _cts.Token));
                    }
                    catch { }
                }
            });
        }
    }

    public void Dispose()
    {
        _cts.Cancel();
        _listener?.Stop();
    }
}
