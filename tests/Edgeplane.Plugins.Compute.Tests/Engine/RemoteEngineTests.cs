using Edgeplane.Plugins.Compute.Engine;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Compute.Tests.Engine;

/// <summary>The engine client over TCP and TCP+TLS (client certificate, private CA) to a real podman.</summary>
public sealed class RemoteEngineTests(PodmanEngine podman) : IClassFixture<PodmanEngine>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Speaks_plain_tcp()
    {
        podman.SkipIfUnavailable();
        using var dir = new TempDirectory();
        await using var tunnel = new EngineTunnel(podman.SocketPath, tls: false, dir.Path);
        var endpoint = EngineEndpoint.TryParse("127.0.0.1", tunnel.Port, tls: false, out var error)!;
        Assert.Null(error);
        using var client = new DockerEngineClient(endpoint);
        Assert.True(await client.PingAsync(Ct));
        Assert.NotNull(await client.InspectImageAsync(PodmanEngine.TestImage, Ct));
    }

    [Fact]
    public async Task Speaks_tls_with_a_client_certificate_and_refuses_servers_of_another_ca()
    {
        podman.SkipIfUnavailable();
        using var dir = new TempDirectory();
        await using var tunnel = new EngineTunnel(podman.SocketPath, tls: true, dir.Path);
        var endpoint = EngineEndpoint.TryParse($"tcp://127.0.0.1", tunnel.Port, tls: true, out _)!;
        Assert.True(endpoint.Tls);

        using (var client = new DockerEngineClient(endpoint, new EngineTlsOptions(tunnel.CaFile, tunnel.CertFile, tunnel.KeyFile)))
        {
            Assert.Contains("Podman Engine", (await client.GetVersionAsync(Ct)).Describe());
            var created = await client.CreateContainerAsync(null, new CreateContainerRequest { Image = PodmanEngine.TestImage, Labels = new() { ["via"] = "tls" } }, Ct);
            await client.StartContainerAsync(created.Id, Ct);
            Assert.True((await client.InspectContainerAsync(created.Id, Ct))!.State!.Running);
            Assert.True(await client.DestroyContainerAsync(created.Id, Ct));
        }

        // No client certificate: the server ends the handshake.
        using (var anonymous = new DockerEngineClient(endpoint, new EngineTlsOptions(tunnel.CaFile, null, null)))
            await Assert.ThrowsAsync<EngineUnreachableException>(() => anonymous.PingAsync(Ct));
        // A server certificate our CA did not sign: the client refuses it.
        using (var distrustful = new DockerEngineClient(endpoint, new EngineTlsOptions(tunnel.OtherCaFile, tunnel.CertFile, tunnel.KeyFile)))
            await Assert.ThrowsAsync<EngineUnreachableException>(() => distrustful.PingAsync(Ct));
        // TLS expected, plain HTTP spoken (or the reverse): no silent downgrade.
        using (var plain = new DockerEngineClient(EngineEndpoint.Tcp("127.0.0.1", tunnel.Port, tls: false)) )
            await Assert.ThrowsAnyAsync<Exception>(() => plain.PingAsync(Ct));
    }

    [Theory]
    [InlineData("unix:///run/podman/podman.sock", null, true, "unix:///run/podman/podman.sock")]
    [InlineData("/var/run/docker.sock", null, true, "unix:///var/run/docker.sock")]
    [InlineData("10.0.0.5", 2376, true, "https://10.0.0.5:2376")]
    [InlineData("tcp://engine.example", 2375, false, "tcp://engine.example:2375")]
    [InlineData("https://engine.example", 2376, false, "https://engine.example:2376")]
    [InlineData("tcp://10.0.0.5:2375", null, false, "tcp://10.0.0.5:2375")]
    [InlineData("[::1]:2376", null, true, "https://[::1]:2376")]
    public void Parses_node_addresses(string address, int? port, bool tls, string expected) =>
        Assert.Equal(expected, EngineEndpoint.TryParse(address, port, tls, out _)!.ToString());

    [Theory]
    [InlineData("", 1)]
    [InlineData("unix://relative.sock", null)]
    [InlineData("10.0.0.5", null)]
    [InlineData("not a host!", 2376)]
    [InlineData("10.0.0.5", 70000)]
    public void Refuses_bad_node_addresses(string address, int? port)
    {
        Assert.Null(EngineEndpoint.TryParse(address, port, true, out var error));
        Assert.NotNull(error);
    }
}
