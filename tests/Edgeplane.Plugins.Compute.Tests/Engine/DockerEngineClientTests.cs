using System.Formats.Tar;
using System.Net.Http;
using Edgeplane.Plugins.Compute.Engine;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Compute.Tests.Engine;

/// <summary>The engine client against a real podman serving the Docker API on a unix socket.</summary>
public sealed class DockerEngineClientTests(PodmanEngine podman) : IClassFixture<PodmanEngine>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Label(string id) => $"edgeplane.compute.instance={id}";

    [Fact]
    public async Task Reports_version_and_answers_ping()
    {
        podman.SkipIfUnavailable();
        using var client = podman.Client();
        Assert.True(await client.PingAsync(Ct));
        var version = await client.GetVersionAsync(Ct);
        Assert.False(string.IsNullOrEmpty(version.Version));
        Assert.Contains("Podman Engine", version.Describe());
    }

    [Fact]
    public async Task Inspects_images_and_imports_a_root_filesystem()
    {
        podman.SkipIfUnavailable();
        using var client = podman.Client();
        var image = await client.InspectImageAsync(PodmanEngine.TestImage, Ct);
        Assert.NotNull(image);
        Assert.Equal(["/bin/httpd", "-f", "-p", "80", "-h", "/www"], image.Config?.Cmd);
        Assert.Null(await client.InspectImageAsync("localhost/edgeplane/none:missing", Ct));

        // A root filesystem with only a static busybox, imported through the API.
        var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            await writer.WriteEntryAsync("/usr/bin/busybox", "bin/busybox", Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/sh") { LinkName = "busybox" }, Ct);
        }
        tar.Position = 0;
        var reference = "localhost/edgeplane/imported:" + Guid.NewGuid().ToString("N")[..8];
        await client.ImportImageAsync(tar, reference, ["CMD [\"/bin/sh\"]"], Ct);
        var imported = await client.InspectImageAsync(reference, Ct);
        Assert.NotNull(imported);
        Assert.Equal(["/bin/sh"], imported.Config?.Cmd);
        await client.RemoveImageAsync(reference, cancellationToken: Ct);
        Assert.Null(await client.InspectImageAsync(reference, Ct));
    }

    [Fact]
    public async Task A_failed_pull_reports_the_engines_message()
    {
        podman.SkipIfUnavailable();
        using var client = podman.Client();
        // Port 1 on loopback: nothing listens, and no traffic leaves the machine.
        var error = await Assert.ThrowsAsync<EngineException>(() => client.PullImageAsync("127.0.0.1:1/edgeplane/none:1", Ct));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public async Task Runs_a_container_with_limits_ports_and_labels_through_its_whole_life()
    {
        podman.SkipIfUnavailable();
        using var client = podman.Client();
        var id = Guid.NewGuid().ToString("N");
        var port = FreePort.Next();
        var created = await client.CreateContainerAsync("ep-test-" + id[..12], new CreateContainerRequest
        {
            Image = PodmanEngine.TestImage,
            Labels = new() { ["edgeplane.compute.instance"] = id },
            ExposedPorts = new() { ["80/tcp"] = new { } },
            HostConfig = new HostConfig
            {
                Memory = 64L * 1024 * 1024,
                NanoCpus = 500_000_000,
                PortBindings = new() { ["80/tcp"] = [new PortBinding("127.0.0.1", port.ToString())] },
            },
        }, Ct);
        try
        {
            await client.StartContainerAsync(created.Id, Ct);
            await client.StartContainerAsync(created.Id, Ct); // already started: 304, not an error

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Contains("edgeplane compute test page", await GetWithRetryAsync(http, $"http://127.0.0.1:{port}/"));

            var inspect = await client.InspectContainerAsync(created.Id, Ct);
            Assert.NotNull(inspect);
            Assert.True(inspect.State!.Running);
            Assert.Equal(64L * 1024 * 1024, inspect.HostConfig!.Memory);
            Assert.Equal(500_000_000, inspect.HostConfig.NanoCpus);
            Assert.Equal(id, inspect.Config!.Labels!["edgeplane.compute.instance"]);
            var binding = Assert.Single(inspect.NetworkSettings!.Ports!["80/tcp"]!);
            Assert.Equal(("127.0.0.1", port.ToString()), (binding.HostIp, binding.HostPort));

            var listed = Assert.Single(await client.ListContainersAsync(Label(id), cancellationToken: Ct));
            Assert.Equal(created.Id, listed.Id);
            Assert.Equal("running", listed.State);
            Assert.Empty(await client.ListContainersAsync(Label("no-such-instance"), cancellationToken: Ct));

            var stats = await client.GetStatsAsync(created.Id, Ct);
            Assert.Equal(64UL * 1024 * 1024, stats.MemoryStats!.Limit);
            Assert.True(stats.MemoryStats.Usage > 0);

            await client.StopContainerAsync(created.Id, TimeSpan.FromSeconds(1), Ct);
            Assert.False((await client.InspectContainerAsync(created.Id, Ct))!.State!.Running);
            await client.StopContainerAsync(created.Id, TimeSpan.FromSeconds(1), Ct); // already stopped: fine

            await client.StartContainerAsync(created.Id, Ct);
            await client.RestartContainerAsync(created.Id, TimeSpan.FromSeconds(1), Ct);
            Assert.True((await client.InspectContainerAsync(created.Id, Ct))!.State!.Running);
            Assert.Contains("edgeplane compute test page", await GetWithRetryAsync(http, $"http://127.0.0.1:{port}/"));

            await client.KillContainerAsync(created.Id, cancellationToken: Ct);
            var killed = (await client.InspectContainerAsync(created.Id, Ct))!.State!;
            Assert.False(killed.Running);
            Assert.Equal(137, killed.ExitCode);
        }
        finally
        {
            Assert.True(await client.RemoveContainerAsync(created.Id, cancellationToken: Ct));
        }
        Assert.False(await client.RemoveContainerAsync(created.Id, cancellationToken: Ct));
        Assert.Null(await client.InspectContainerAsync(created.Id, Ct));
        Assert.Empty(await client.ListContainersAsync(Label(id), cancellationToken: Ct));
    }

    [Fact]
    public async Task Reads_stdout_and_stderr_from_the_multiplexed_log_stream()
    {
        podman.SkipIfUnavailable();
        using var client = podman.Client();
        var created = await client.CreateContainerAsync(null, new CreateContainerRequest
        {
            Image = PodmanEngine.TestImage,
            Cmd = ["/bin/sh", "-c", "echo to-out; echo to-err >&2; sleep 0.3; echo second-out; sleep 30"],
        }, Ct);
        try
        {
            await client.StartContainerAsync(created.Id, Ct);
            var frames = new List<LogFrame>();
            for (var i = 0; i < 50 && !frames.Any(f => f.Text.Contains("second-out")); i++)
            {
                frames.Clear();
                await foreach (var frame in client.GetLogsAsync(created.Id, cancellationToken: Ct)) frames.Add(frame);
                if (!frames.Any(f => f.Text.Contains("second-out"))) await Task.Delay(100, Ct);
            }
            Assert.Equal("to-out\nsecond-out\n", string.Concat(frames.Where(f => f.Stream == LogStream.Stdout).Select(f => f.Text)));
            Assert.Equal("to-err\n", string.Concat(frames.Where(f => f.Stream == LogStream.Stderr).Select(f => f.Text)));

            var tail = new List<LogFrame>();
            await foreach (var frame in client.GetLogsAsync(created.Id, tail: 1, cancellationToken: Ct)) tail.Add(frame);
            Assert.Equal("second-out\n", Assert.Single(tail).Text);

            // Following: the stream stays open and ends when the container is killed.
            using var follow = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            follow.CancelAfter(TimeSpan.FromSeconds(20));
            var followed = new List<string>();
            var reading = Task.Run(async () =>
            {
                await foreach (var frame in client.GetLogsAsync(created.Id, tail: 0, follow: true, cancellationToken: follow.Token)) followed.Add(frame.Text);
            }, Ct);
            await Task.Delay(300, Ct);
            Assert.False(reading.IsCompleted);
            await client.KillContainerAsync(created.Id, cancellationToken: Ct);
            await reading;
            Assert.False(follow.IsCancellationRequested);
        }
        finally
        {
            await client.RemoveContainerAsync(created.Id, cancellationToken: Ct);
        }
    }

    [Fact]
    public async Task Engine_errors_carry_status_and_message_and_a_missing_socket_is_unreachable()
    {
        podman.SkipIfUnavailable();
        using var client = podman.Client();
        var error = await Assert.ThrowsAsync<EngineException>(() =>
            client.CreateContainerAsync(null, new CreateContainerRequest { Image = "localhost/edgeplane/none:missing" }, Ct));
        Assert.Equal(404, error.StatusCode);
        Assert.Contains("none", error.Message);
        await Assert.ThrowsAsync<EngineException>(() => client.StartContainerAsync("no-such-container", Ct));

        using var nowhere = new DockerEngineClient(EngineEndpoint.Unix(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".sock")));
        await Assert.ThrowsAsync<EngineUnreachableException>(() => nowhere.PingAsync(Ct));
        using var closed = new DockerEngineClient(EngineEndpoint.Tcp("127.0.0.1", FreePort.Next(), tls: false));
        await Assert.ThrowsAsync<EngineUnreachableException>(() => closed.GetVersionAsync(Ct));
    }

    internal static async Task<string> GetWithRetryAsync(HttpClient http, string url, int attempts = 100)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await http.GetStringAsync(url, Ct);
            }
            catch (HttpRequestException) when (i < attempts)
            {
                await Task.Delay(50, Ct);
            }
        }
    }
}
