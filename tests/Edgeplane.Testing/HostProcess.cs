using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Edgeplane.Testing;

/// <summary>
/// The real host, started as its own process on 127.0.0.1 (Kestrel, real plugin folders, a real
/// SQLite file in a temporary data directory unless told otherwise), configured through
/// environment variables the way an operator would. It is bootstrapped with <see cref="AdminKey"/>.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<TempDirectory> _temps = [];

    private HostProcess(Process process, int port, string adminKey, string dataDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        _process = process;
        AdminKey = adminKey;
        DataDirectory = dataDirectory;
        DatabaseProvider = environment.GetValueOrDefault("Edgeplane__Database__Provider") ?? "sqlite";
        ConnectionString = environment.GetValueOrDefault("Edgeplane__Database__ConnectionString")
            ?? $"Data Source={System.IO.Path.Combine(dataDirectory, "edgeplane.db")}";
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    /// <summary>Generous: on a loaded 2-core machine a start can take many seconds; a healthy one takes well under one.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    /// <summary>The first admin's API key (host admin), given to the host through configuration.</summary>
    public string AdminKey { get; }
    public string DataDirectory { get; }
    /// <summary>The host's database: <c>sqlite</c> (by default a file in <see cref="DataDirectory"/>) or <c>postgres</c>.</summary>
    public string DatabaseProvider { get; }
    public string ConnectionString { get; }
    /// <summary>The bootstrap admin's password (user <c>admin</c>), for session-only operations.</summary>
    public const string AdminPassword = "test-admin-password-0123456789";

    /// <summary>The host's default plugin directory (where the first-party plugins build).</summary>
    public static string DefaultPluginDirectory => Path.Combine(RepoPaths.HostDirectory, "plugins");

    /// <summary>A client that sends <paramref name="apiKey"/> as <c>Authorization: Bearer</c>.</summary>
    public HttpClient ClientWithKey(string apiKey, Uri? baseAddress = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress ?? BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return client;
    }

    /// <summary>A client authenticated as the bootstrap admin.</summary>
    public HttpClient AdminClient() => ClientWithKey(AdminKey);
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static Task<HostProcess> StartAsync(IDictionary<string, string?> environment, params string[] arguments) =>
        StartAsync(new HostOptions { Environment = new(environment), Arguments = arguments });

    public static async Task<HostProcess> StartAsync(HostOptions options)
    {
        var temps = new List<TempDirectory>();
        var environment = new Dictionary<string, string?>(options.Environment);
        var dataDirectory = options.DataDirectory;
        if (dataDirectory is null)
        {
            var data = new TempDirectory();
            temps.Add(data);
            dataDirectory = data.Path;
        }
        environment.TryAdd("Edgeplane__DataDirectory", dataDirectory);
        if (options.Plugins is { } selected)
        {
            var links = new TempDirectory();
            temps.Add(links);
            foreach (var folder in selected)
                Directory.CreateSymbolicLink(links.Combine(folder), Path.Combine(DefaultPluginDirectory, folder));
            environment.TryAdd("Edgeplane__Plugins__Directories", links.Path);
        }
        var adminKey = "ep_test_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        environment.TryAdd("Edgeplane__Bootstrap__AdminApiKey", adminKey);
        environment.TryAdd("Edgeplane__Bootstrap__AdminPassword", AdminPassword);
        // Tests sign in and fail credentials on purpose, many times a minute from one address.
        environment.TryAdd("Edgeplane__Security__LoginAttemptsPerMinute", "100000");
        environment.TryAdd("Edgeplane__Security__FailedAttemptsPerMinute", "100000");
        var arguments = options.Arguments;
        var port = FreePort.Next();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.HostDirectory,
        };
        foreach (var arg in (string[])[RepoPaths.HostAssembly, "--urls", $"http://127.0.0.1:{port}", .. arguments])
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment) info.Environment[key] = value;

        var host = new HostProcess(Process.Start(info)!, port, environment["Edgeplane__Bootstrap__AdminApiKey"]!, environment["Edgeplane__DataDirectory"]!, environment);
        host._temps.AddRange(temps);
        host._process.OutputDataReceived += (_, e) => host.Append(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        if (!options.WaitUntilServing) return host;
        try
        {
            await host.WaitUntilServingAsync();
        }
        catch
        {
            await host.DisposeAsync(); // never leave a half-started host behind
            throw;
        }
        return host;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Waits until the host serves and every plugin's background services have started.</summary>
    public async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"host exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if (await PluginsStartedAsync()) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"host did not serve /healthz within {StartTimeout.TotalSeconds} s:\n{Output}");
    }

    /// <summary>Serving, and every plugin's background services have started (listeners bound, caches loaded).</summary>
    private async Task<bool> PluginsStartedAsync()
    {
        using var response = await Client.GetAsync("/readyz");
        if ((int)response.StatusCode is not (200 or 503)) return false;
        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        return report?["checks"]?.AsArray().Any(c => (string?)c?["name"] == "plugin-startup" && (string?)c?["status"] == "healthy") == true;
    }

    /// <summary>Stops the host as a service manager does (SIGTERM: a graceful shutdown) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        if (Kill(_process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
        using var timeout = new CancellationTokenSource(StartTimeout);
        await _process.WaitForExitAsync(timeout.Token);
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Kills the host (SIGKILL: no shutdown code runs) unless it has exited, and removes its temporary directories.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        foreach (var temp in _temps) temp.Dispose();
    }
}
