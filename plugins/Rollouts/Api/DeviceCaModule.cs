using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Rollouts.Device;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary><c>GET /device-ca</c>: the CA certificate devices pin and the device API address.</summary>
public sealed class DeviceCaModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/device-ca", (DeviceCa ca, RolloutsOptions options) => TypedResults.Ok(new
        {
            id = ca.Id,
            certificate = ca.Certificate.ExportCertificatePem(),
            sha256 = ca.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(),
            notAfter = new DateTimeOffset(ca.Certificate.NotAfter.ToUniversalTime()),
            deviceApiUrl = options.DeviceApiUrl,
        })).RequirePermission("rollouts.device-ca.read");
}
