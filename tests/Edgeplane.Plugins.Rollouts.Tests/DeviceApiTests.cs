using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Device.V1;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Rollouts.Agent;
using Google.Protobuf;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>The device API over real mTLS with a real gRPC client (@grpc/grpc-js), curl and a .NET HTTP/2 client.</summary>
[Collection(RolloutsCollection.Name)]
public sealed class DeviceApiTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DeviceFiles NewDevice() => new(fixture.Work.Combine("devices"), "dev-" + Guid.NewGuid().ToString("N")[..10]);

    private Task<JsonObject> CallAsync(string method, object request, DeviceFiles? device, int? deadlineMs = null) =>
        NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, method, request, device?.CertPath, device?.KeyPath, deadlineMs);

    private async Task<DeviceFiles> EnrollAsync(string? token = null, object? labels = null)
    {
        var device = NewDevice();
        var reply = await CallAsync("Enroll", device.EnrollRequest(token ?? await fixture.NewTokenAsync(), labels), device);
        Assert.True((bool)reply["ok"]!, reply.ToJsonString());
        device.Enrolled(reply);
        return device;
    }

    private static object CheckIn(string version = "1.0.0", string health = "ok") => new
    {
        attributes = new Dictionary<string, string> { ["os"] = "linux", ["model"] = "rpi4" },
        software = new[] { new { name = "firmware", version } },
        health = new { status = health, uptimeSeconds = 42, cpuPercent = 12.5 },
        agentVersion = "grpc-js",
    };

    [Fact]
    public async Task Enroll_with_a_valid_token_issues_a_short_lived_device_certificate_from_the_device_ca()
    {
        var token = await fixture.CreateTokenAsync(new { name = "factory", maxUses = 5, expiresInSeconds = 600, labels = new { site = "berlin" } });
        var device = NewDevice();

        var reply = await CallAsync("Enroll", device.EnrollRequest((string)token["token"]!, new { model = "rpi4" }), device);

        Assert.True((bool)reply["ok"]!, reply.ToJsonString());
        device.Enrolled(reply);
        var certificate = device.Certificate!;
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(fixture.CaPath, Ct));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate));
        Assert.InRange(certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        Assert.Equal(device.Key.ExportSubjectPublicKeyInfo(), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Contains("1.3.6.1.5.5.7.3.2", certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));

        var view = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{device.Name}", Ct);
        Assert.Equal("berlin", (string)view!["labels"]!["site"]!);
        Assert.Equal("rpi4", (string)view["labels"]!["model"]!);
        Assert.Equal("pending", (string)view["status"]!);
        var listed = await fixture.Key("admin").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/enroll-tokens/{token["id"]}", Ct);
        Assert.Equal(1, (int)listed!["uses"]!);
    }

    [Fact]
    public async Task Enroll_refuses_an_expired_token()
    {
        var token = await fixture.NewTokenAsync(expiresInSeconds: 1);
        await Task.Delay(1500, Ct);
        var device = NewDevice();

        var reply = await CallAsync("Enroll", device.EnrollRequest(token), device);

        Assert.False((bool)reply["ok"]!);
        Assert.Equal(7, (int)reply["code"]!); // PERMISSION_DENIED
        Assert.Contains("expired", (string)reply["details"]!);
    }

    [Fact]
    public async Task Enroll_refuses_an_exhausted_token()
    {
        var token = await fixture.NewTokenAsync(maxUses: 1);
        await EnrollAsync(token);
        var second = NewDevice();

        var reply = await CallAsync("Enroll", second.EnrollRequest(token), second);

        Assert.Equal(7, (int)reply["code"]!);
        Assert.Contains("exhausted", (string)reply["details"]!);
        using var missing = await fixture.Key("viewer").GetAsync($"/rollouts/api/v1/devices/{second.Name}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Enroll_refuses_a_revoked_token()
    {
        var token = await fixture.CreateTokenAsync(new { name = "revoke-me", maxUses = 10 });
        using var revoke = await fixture.Sessions["admin"].DeleteAsync($"/rollouts/api/v1/enroll-tokens/{token["id"]}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var device = NewDevice();

        var reply = await CallAsync("Enroll", device.EnrollRequest((string)token["token"]!), device);

        Assert.Equal(7, (int)reply["code"]!);
        Assert.Contains("revoked", (string)reply["details"]!);
    }

    [Fact]
    public async Task Enroll_refuses_an_unknown_token_and_a_csr_for_another_key()
    {
        var device = NewDevice();
        var unknown = await CallAsync("Enroll", device.EnrollRequest("ept_not-a-token"), device);
        var other = NewDevice();
        var mismatch = await CallAsync("Enroll", new { token = await fixture.NewTokenAsync(), name = device.Name, csr = Convert.ToBase64String(other.Csr) }, device);

        Assert.Equal(16, (int)unknown["code"]!); // UNAUTHENTICATED
        Assert.Equal(7, (int)mismatch["code"]!);
        Assert.Contains("proof of possession", (string)mismatch["details"]!);
    }

    [Fact]
    public async Task Check_in_over_grpc_js_updates_inventory_and_history()
    {
        var device = await EnrollAsync();

        var first = await CallAsync("CheckIn", CheckIn("1.0.0"), device);
        var second = await CallAsync("CheckIn", CheckIn("1.1.0", "degraded"), device);

        Assert.True((bool)first["ok"]!, first.ToJsonString());
        Assert.True((bool)second["ok"]!, second.ToJsonString());
        Assert.Equal(1, (int)first["response"]!["checkInIntervalSeconds"]!);
        var view = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{device.Name}", Ct);
        Assert.Equal("online", (string)view!["status"]!);
        Assert.Equal("rpi4", (string)view["attributes"]!["model"]!);
        Assert.Equal("1.1.0", (string)view["software"]![0]!["version"]!);
        Assert.Equal("degraded", (string)view["health"]!["status"]!);
        Assert.Equal(2, (int)view["checkIns"]!);
        var history = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{device.Name}/history", Ct);
        var items = history!["items"]!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.Equal(5, (int)history["total"]!);
        Assert.Equal("enrolled", (string)items[^1]["kind"]!);
        Assert.Equal(2, items.Count(e => (string)e["kind"]! == "inventory_changed"));
        Assert.Contains(items, e => (string)e["kind"]! == "status_changed" && (string)e["details"]!["from"]! == "ok" && (string)e["details"]!["to"]! == "degraded");
        var upgrade = items.First(e => (string)e["kind"]! == "inventory_changed")["details"]!;
        Assert.Equal("1.1.0", (string)upgrade["softwareAdded"]![0]!["version"]!);
        Assert.Equal("1.0.0", (string)upgrade["softwareRemoved"]![0]!["version"]!);
    }

    [Fact]
    public async Task Unchanged_check_ins_only_move_last_seen_written_in_batches()
    {
        var device = await EnrollAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1); // a margin for stored times cut to the second

        var reply = await NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, "CheckIn", CheckIn(), device.CertPath, device.KeyPath, repeat: 6);
        // the heartbeat writer flushes every second; counted, not timed, so a loaded machine only makes it wait longer
        var view = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{device.Name}", Ct);
        for (var waited = 0; (int)view!["checkIns"]! < 6 && waited < 300; waited++)
        {
            await Task.Delay(100, Ct);
            view = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{device.Name}", Ct);
        }

        Assert.True((bool)reply["ok"]!, reply.ToJsonString());
        var history = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{device.Name}/history", Ct);
        Assert.Equal(6, (int)view!["checkIns"]!);
        Assert.True(DateTimeOffset.Parse((string)view["lastSeenAt"]!) >= before, view.ToJsonString());
        Assert.Equal(3, (int)history!["total"]!); // enrolled, inventory_changed, status_changed: no row per heartbeat
    }

    [Fact]
    public async Task No_client_certificate_is_refused_at_the_tls_layer()
    {
        var reply = await CallAsync("CheckIn", CheckIn(), device: null);
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using var http = new HttpClient(handler);

        Assert.False((bool)reply["ok"]!);
        Assert.Equal(14, (int)reply["code"]!); // UNAVAILABLE: the handshake fails
        await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
            DeviceClient.CallAsync(http, fixture.DeviceUri, "CheckIn", new CheckInRequest(), CheckInResponse.Parser, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_refused_at_the_tls_layer()
    {
        using var otherCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Rogue CA", otherCaKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var rogueCa = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        var device = NewDevice();
        var request = new CertificateRequest($"CN={device.Name}", device.Key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var rogue = request.Create(rogueCa, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), [1, 2, 3, 4]);
        await File.WriteAllTextAsync(device.CertPath, rogue.ExportCertificatePem() + "\n" + rogueCa.ExportCertificatePem() + "\n", Ct);

        var reply = await CallAsync("CheckIn", CheckIn(), device);

        Assert.False((bool)reply["ok"]!);
        Assert.Equal(14, (int)reply["code"]!);
    }

    [Fact]
    public async Task A_self_signed_bootstrap_certificate_may_only_enroll()
    {
        var device = NewDevice();

        var reply = await CallAsync("CheckIn", CheckIn(), device);

        Assert.Equal(16, (int)reply["code"]!);
        Assert.Contains("bootstrap", (string)reply["details"]!);
    }

    [Fact]
    public async Task A_deleted_device_is_refused_at_once_on_its_open_connection()
    {
        var device = await EnrollAsync();
        using var client = new DeviceClient(fixture.DeviceUri, device.ClientCertificate(), X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(fixture.CaPath, Ct)));
        var before = await client.CallAsync("CheckIn", new CheckInRequest { Health = new Health { Status = "ok" } }, CheckInResponse.Parser, cancellationToken: Ct);

        using var delete = await fixture.Key("operator").DeleteAsync($"/rollouts/api/v1/devices/{device.Name}", Ct);
        var refused = await Assert.ThrowsAsync<GrpcCallException>(() =>
            client.CallAsync("CheckIn", new CheckInRequest { Health = new Health { Status = "ok" } }, CheckInResponse.Parser, cancellationToken: Ct));
        var grpcJs = await CallAsync("CheckIn", CheckIn(), device);

        Assert.True(before.ServerTimeUnixMs > 0);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(16, refused.Status);
        Assert.Contains("revoked", refused.Detail);
        Assert.Equal(16, (int)grpcJs["code"]!);
    }

    [Fact]
    public async Task Renew_issues_a_new_certificate_for_a_new_key()
    {
        var device = await EnrollAsync();
        var next = new DeviceFiles(fixture.Work.Combine("devices", "renewed"), device.Name);

        var reply = await CallAsync("Renew", new { csr = Convert.ToBase64String(next.Csr) }, device);
        Assert.True((bool)reply["ok"]!, reply.ToJsonString());
        next.Enrolled(reply);
        var checkIn = await CallAsync("CheckIn", CheckIn(), next);

        Assert.True((bool)checkIn["ok"]!, checkIn.ToJsonString());
        Assert.NotEqual(device.Certificate!.SerialNumber, next.Certificate!.SerialNumber);
        Assert.Equal(device.Certificate.Subject, next.Certificate.Subject);
        var history = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{device.Name}/history?kind=certificate_renewed", Ct);
        Assert.Equal(1, (int)history!["total"]!);
    }

    [Fact]
    public async Task Curl_speaks_to_the_device_api_and_an_expired_deadline_is_deadline_exceeded()
    {
        var device = await EnrollAsync();
        var message = new CheckInRequest { Health = new Health { Status = "ok" }, AgentVersion = "curl" }.ToByteArray();
        var framed = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        var body = fixture.Work.Combine($"checkin-{device.Name}.bin");
        await File.WriteAllBytesAsync(body, framed, Ct);

        async Task<(string Headers, byte[] Body)> Curl(params string[] extra)
        {
            var headers = fixture.Work.Combine($"h-{Guid.NewGuid():N}");
            var output = fixture.Work.Combine($"o-{Guid.NewGuid():N}");
            var (code, text) = await NodeGrpc.RunAsync("curl", [
                "-sS", "--http2", "--cacert", fixture.CaPath, "--cert", device.CertPath, "--key", device.KeyPath,
                "-H", "content-type: application/grpc", "-H", "te: trailers", .. extra, "--data-binary", "@" + body,
                "-D", headers, "-o", output, $"https://127.0.0.1:{fixture.DevicePort}/edgeplane.rollouts.device.v1.DeviceService/CheckIn"], TimeSpan.FromSeconds(30));
            Assert.True(code == 0, text);
            return (await File.ReadAllTextAsync(headers, Ct), await File.ReadAllBytesAsync(output, Ct));
        }

        var ok = await Curl();
        var late = await Curl("-H", "grpc-timeout: 1n");

        Assert.Contains("grpc-status: 0", ok.Headers);
        Assert.Contains("content-type: application/grpc", ok.Headers);
        var reply = CheckInResponse.Parser.ParseFrom(ok.Body.AsSpan(5));
        Assert.True(reply.CertificateExpiresInMs > 0);
        Assert.Contains("grpc-status: 4", late.Headers);
        Assert.Empty(late.Body);
    }
}
