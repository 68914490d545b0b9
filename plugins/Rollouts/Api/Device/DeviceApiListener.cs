using System.Security.Authentication;
using Edgeplane.Plugins.Rollouts.Data.Ca;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Api.Device;

/// <summary>
/// The device-facing listener: its own Kestrel on <c>DeviceApi:Address</c>:<c>DeviceApi:Port</c>
/// (127.0.0.1:7443 by default), TLS 1.2/1.3 with a client certificate required on every connection
/// (a chain to the device CA, or a self-signed bootstrap certificate that may only Enroll), HTTP/2, gRPC.
/// </summary>
public sealed class DeviceApiListener(DeviceCa ca, DeviceGrpcService service, RolloutsOptions options,
    DeviceApiState state, ILoggerFactory loggers, ILogger<DeviceApiListener> logger) : IHostedService
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ca.EnsureAsync(cancellationToken);
        if (!options.DeviceApi.Enabled)
        {
            state.Failed("disabled by configuration (DeviceApi:Enabled=false)");
            return;
        }
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggers);
        // The host already announces its own start and stop; this inner application stays quiet.
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxLogBytes + 128 * 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 100;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(5);
            kestrel.Listen(options.DeviceApi.ParsedAddress(), options.DeviceApi.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    // Selected per handshake: a CA rotation changes it without a restart.
                    ServerCertificateSelector = (_, _) => ca.ServerCertificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    ClientCertificateValidation = (certificate, _, _) => ca.ValidateClient(certificate),
                    CheckCertificateRevocation = false,
                });
            });
        });
        _app = builder.Build();
        _app.Run(service.HandleAsync);
        try
        {
            await _app.StartAsync(cancellationToken);
            state.Listening($"https://{options.DeviceApi.ParsedAddress()}:{options.DeviceApi.Port}");
            logger.LogInformation("Device API (gRPC, mTLS) listening on https://{Address}:{Port}", options.DeviceApi.ParsedAddress(), options.DeviceApi.Port);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // The operator API keeps working; /readyz reports the device listener as degraded.
            state.Failed($"cannot listen on {options.DeviceApi.ParsedAddress()}:{options.DeviceApi.Port}: {e.Message}");
            logger.LogError(e, "Device API cannot listen on {Address}:{Port}; set Edgeplane:Plugins:rollouts:DeviceApi:Port", options.DeviceApi.ParsedAddress(), options.DeviceApi.Port);
            await _app.DisposeAsync();
            _app = null;
        }
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

/// <summary>Whether the device listener is up; reported by the <c>rollouts-device-api</c> health check.</summary>
public sealed class DeviceApiState : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    private volatile string _description = "starting";
    private volatile bool _up;

    public void Listening(string address)
    {
        _description = "listening on " + address;
        _up = true;
    }

    public void Failed(string reason)
    {
        _description = reason;
        _up = false;
    }

    public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_up
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(_description)
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Degraded(_description));
}
