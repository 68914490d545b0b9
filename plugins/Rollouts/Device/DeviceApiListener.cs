using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Device;

/// <summary>
/// The device-facing listener: its own Kestrel on <c>DeviceApi:Address</c>:<c>DeviceApi:Port</c>
/// (127.0.0.1:7443 by default), TLS 1.2/1.3 with a client certificate required on every connection
/// (a chain to the device CA, or a self-signed bootstrap certificate that may only Enroll), HTTP/2, gRPC.
/// </summary>
public sealed class DeviceApiListener(DeviceCa ca, DeviceGrpcService service, RolloutsOptions options,
    ILoggerFactory loggers, ILogger<DeviceApiListener> logger) : IHostedService
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ca.EnsureAsync(cancellationToken);
        if (!options.DeviceApiEnabled) return;
        var serverCertificate = ca.IssueServer(options.DeviceApiAddress, options.ServerNames);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxLogBytes + 128 * 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 100;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(5);
            kestrel.Listen(options.DeviceApiAddress, options.DeviceApiPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = serverCertificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    ClientCertificateValidation = (certificate, _, _) => ca.ValidateClient(certificate),
                    CheckCertificateRevocation = false,
                });
            });
        });
        _app = builder.Build();
        _app.Run(service.HandleAsync);
        await _app.StartAsync(cancellationToken);
        logger.LogInformation("Device API (gRPC, mTLS) listening on https://{Address}:{Port}", options.DeviceApiAddress, options.DeviceApiPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
            await _app.DisposeAsync();
        }
    }
}
