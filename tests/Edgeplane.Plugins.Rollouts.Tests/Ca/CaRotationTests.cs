using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Device.V1;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Rollouts.Agent;
using Google.Protobuf;

namespace Edgeplane.Plugins.Rollouts.Tests.Ca;

/// <summary>
/// Device CA rotation end to end on its own host (it changes the CA every other test pins): rotate, old devices keep working,
/// new certificates come from the new CA, retiring waits for devices to renew, then the listener and devices move to the new CA.
/// </summary>
public sealed class CaRotationTests(RolloutsFixture fixture) : IClassFixture<RolloutsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<DeviceFiles> EnrollAsync(string prefix)
    {
        var device = new DeviceFiles(fixture.Work.Combine("ca"), prefix + "-" + Guid.NewGuid().ToString("N")[..6]);
        var reply = await NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, "Enroll", device.EnrollRequest(await fixture.NewTokenAsync(), new { }), device.CertPath, device.KeyPath);
        Assert.True((bool)reply["ok"]!, reply.ToJsonString());
        device.Enrolled(reply);
        return device;
    }

    private async Task<CheckInResponse> CheckInAsync(X509Certificate2 clientCertificate, X509Certificate2 pinnedCa)
    {
        using var client = new DeviceClient(fixture.DeviceUri, clientCertificate, pinnedCa);
        return await client.CallAsync("CheckIn", new CheckInRequest { Health = new Health { Status = "ok" } }, CheckInResponse.Parser, cancellationToken: Ct);
    }

    [Fact]
    public async Task Rotation_keeps_old_devices_working_until_they_renew_then_moves_everything_to_the_new_ca()
    {
        var oldCa = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(fixture.CaPath, Ct));
        var a = await EnrollAsync("before");
        var aOld = a.ClientCertificate();
        await CheckInAsync(aOld, oldCa);
        using var host = fixture.Host.AdminClient();
        using var teamAdmin = fixture.Key("admin");

        using var refused = await teamAdmin.PostAsync("/rollouts/api/v1/device-ca/rotate", null, Ct);
        using var rotate = await host.PostAsync("/rollouts/api/v1/device-ca/rotate", null, Ct);
        var rotated = await rotate.Content.ReadFromJsonAsync<JsonObject>(Ct);
        using var again = await host.PostAsync("/rollouts/api/v1/device-ca/rotate", null, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.True((bool)rotated!["rotating"]!);
        Assert.Equal(oldCa.ExportCertificatePem(), ((string)rotated["certificate"]!).Trim()); // devices keep pinning the old CA for now
        var authorities = rotated["authorities"]!.AsArray();
        Assert.Equal(["trusted", "active"], authorities.Select(x => (string)x!["state"]!).ToArray());
        var newCa = X509Certificate2.CreateFromPem((string)authorities[1]!["certificate"]!);

        // The old device's certificate still works; a new device gets a certificate from the new CA and still verifies the server with the old one.
        await CheckInAsync(aOld, oldCa);
        var b = await EnrollAsync("after");
        Assert.Equal(newCa.Subject, b.Certificate!.Issuer);
        await CheckInAsync(b.ClientCertificate(), oldCa);

        // Retiring waits for the old device to renew.
        using var early = await host.PostAsync("/rollouts/api/v1/device-ca/retire-previous", null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("1 valid device certificates", (string)(await early.Content.ReadFromJsonAsync<JsonObject>(Ct))!["detail"]!);
        using (var client = new DeviceClient(fixture.DeviceUri, aOld, oldCa))
        {
            var renewed = await client.CallAsync("Renew", new RenewRequest { Csr = ByteString.CopyFrom(a.Csr) }, RenewResponse.Parser, cancellationToken: Ct);
            var certificate = X509CertificateLoader.LoadCertificate(renewed.Certificate.Certificate.ToByteArray());
            Assert.Equal(newCa.Subject, certificate.Issuer);
            await File.WriteAllTextAsync(a.CertPath, certificate.ExportCertificatePem(), Ct);
            Assert.Equal(oldCa.RawData, renewed.Certificate.CaCertificate.ToByteArray());
        }
        using var retire = await host.PostAsync("/rollouts/api/v1/device-ca/retire-previous", null, Ct);
        var retired = await retire.Content.ReadFromJsonAsync<JsonObject>(Ct);

        Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
        Assert.False((bool)retired!["rotating"]!);
        Assert.Equal(newCa.ExportCertificatePem(), ((string)retired["certificate"]!).Trim());
        // The listener now presents a certificate from the new CA; the old CA's certificates are refused at TLS.
        await CheckInAsync(a.ClientCertificate(), newCa);
        await CheckInAsync(b.ClientCertificate(), newCa);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => CheckInAsync(aOld, newCa));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => CheckInAsync(b.ClientCertificate(), oldCa));
        var trail = await host.GetStringAsync("/rollouts/api/v1/audit-trail?action=rollouts.device-ca.", Ct);
        Assert.Contains("rollouts.device-ca.rotate", trail);
        Assert.Contains("rollouts.device-ca.retire", trail);
    }
}
