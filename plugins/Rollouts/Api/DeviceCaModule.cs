using Edgeplane.Plugins.Rollouts.Data.Ca;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// <c>GET /device-ca</c>: the CA certificate devices pin, the issuing CA, every trusted CA and the device API address.
/// CA rotation (host administrators: the device CA serves every team): <c>POST /device-ca/rotate</c>, then <c>POST /device-ca/retire-previous</c> (see the README).
/// </summary>
public sealed class DeviceCaModule : ICarterModule
{
    /// <summary>
    /// What a device pins to verify the listener (<see cref="Id"/>, <see cref="Certificate"/>: unchanged until a rotation completes), the CA that
    /// issues device certificates now (<see cref="IssuingId"/>), and every CA whose certificates are accepted.
    /// </summary>
    public sealed record DeviceCaView(string Id, string Certificate, string Sha256, DateTimeOffset NotAfter, string DeviceApiUrl, string IssuingId, bool Rotating,
        IReadOnlyList<DeviceCaAuthority> Authorities);

    public sealed record DeviceCaAuthority(string Id, string State, string Subject, string Sha256, DateTimeOffset NotAfter, DateTimeOffset CreatedAt, string Certificate);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/device-ca", (DeviceCa ca, RolloutsOptions options) => TypedResults.Ok(View(ca, options))).WithSummary("The device CA certificate and the device API URL").Produces<DeviceCaView>().RequirePermission("rollouts.device-ca.read");
        app.MapPost("/api/v1/device-ca/rotate", RotateAsync).TakesNoBody().WithSummary("Rotate the device CA (host admin)").Produces<DeviceCaView>().RequirePermission("rollouts.device-ca.rotate").RequireHostAdmin();
        app.MapPost("/api/v1/device-ca/retire-previous", RetireAsync).TakesNoBody().WithSummary("Stop trusting the previous device CA (host admin)").Produces<DeviceCaView>().RequirePermission("rollouts.device-ca.rotate").RequireHostAdmin();
    }

    private static DeviceCaView View(DeviceCa ca, RolloutsOptions options) => new(ca.All[0].Id, ca.ServerCa.ExportCertificatePem(),
        ca.ServerCa.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(), new DateTimeOffset(ca.ServerCa.NotAfter.ToUniversalTime()),
        options.DeviceApi.Url, ca.Id, ca.All.Count > 1,
        ca.All.Select(c => new DeviceCaAuthority(c.Id, c.State, c.Subject, c.Sha256, c.NotAfter, c.CreatedAt, c.Pem)).ToList());

    private static async Task<IResult> RotateAsync(DeviceCa ca, RolloutsOptions options, IAuditLog audit, CancellationToken ct)
    {
        if (ca.All.Count > 1)
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: "a rotation is in progress: retire the previous CA first (POST /api/v1/device-ca/retire-previous)");
        string id;
        try
        {
            id = await ca.RotateAsync(ct);
        }
        catch (InvalidOperationException e)
        {
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: e.Message);
        }
        await audit.RecordAsync("rollouts.device-ca.rotate", id);
        return TypedResults.Ok(View(ca, options));
    }

    private static async Task<IResult> RetireAsync(bool? force, DeviceCa ca, RolloutsOptions options, IAuditLog audit, CancellationToken ct)
    {
        if (ca.All.Count < 2) return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: "no rotation in progress");
        var outstanding = await ca.OutstandingAsync(ct);
        if (outstanding.Values.Sum() > 0 && force != true)
            return TypedResults.Problem(statusCode: 409, title: "Conflict",
                detail: $"{outstanding.Values.Sum()} valid device certificates were issued by the previous CA; wait until their devices renew (or they expire), or pass force=true to cut them off");
        IReadOnlyList<string> retired;
        try
        {
            retired = await ca.RetireTrustedAsync(ct);
        }
        catch (InvalidOperationException e)
        {
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: e.Message);
        }
        await audit.RecordAsync("rollouts.device-ca.retire", string.Join(",", retired), new { forced = force == true, outstanding = outstanding.Values.Sum() });
        return TypedResults.Ok(View(ca, options));
    }
}
