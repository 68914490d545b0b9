using System.Diagnostics;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Support;

/// <summary>The reference device agent (plugins/Rollouts/agent) as its own process; its JSON event lines are collected.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<JsonObject> _events = [];
    private readonly List<string> _lines = [];

    public static string Assembly => Path.Combine(RepoPaths.Root, "plugins", "Rollouts", "agent", "bin", RepoPaths.Configuration, "net10.0", "edgeplane-rollouts-agent.dll");

    private AgentProcess(Process process) => _process = process;

    public static AgentProcess Start(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Assembly);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var agent = new AgentProcess(Process.Start(info)!);
        agent._process.OutputDataReceived += (_, e) => agent.Add(e.Data);
        agent._process.ErrorDataReceived += (_, e) => agent.Add(e.Data);
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        return agent;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        lock (_events)
        {
            _lines.Add(line);
            if (line.StartsWith('{'))
                try { _events.Add(JsonNode.Parse(line)!.AsObject()); } catch (System.Text.Json.JsonException) { }
        }
    }

    public string Output
    {
        get { lock (_events) return string.Join('\n', _lines); }
    }

    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Waits for an event named <paramref name="name"/> (after <paramref name="skip"/> earlier ones) that satisfies <paramref name="match"/>.</summary>
    public async Task<JsonObject> WaitForAsync(string name, Func<JsonObject, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            lock (_events)
            {
                var found = _events.FirstOrDefault(e => (string?)e["event"] == name && (match?.Invoke(e) ?? true));
                if (found is not null) return found;
            }
            if (_process.HasExited) await Task.Delay(200);
            if (_process.HasExited) break;
            await Task.Delay(50);
        }
        throw new TimeoutException($"the agent did not report '{name}':\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
