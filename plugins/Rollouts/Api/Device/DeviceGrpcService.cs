using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Edgeplane.Plugins.Rollouts.Data.Ca;
using Edgeplane.Plugins.Rollouts.Data.Deployments;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Edgeplane.Plugins.Rollouts.Data.Tuf;
using Edgeplane.Plugins.Rollouts.Device.V1;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Api.Device;

/// <summary>
/// <c>edgeplane.rollouts.device.v1.DeviceService</c>: dispatches unary gRPC calls arriving on the
/// mTLS listener. Every call but Enroll needs a device certificate whose serial is not revoked and
/// whose device still exists, looked up in the database on every request.
/// </summary>
public sealed class DeviceGrpcService
{
    public const string ServicePath = "/edgeplane.rollouts.device.v1.DeviceService/";
    private readonly DeviceCredentials _credentials;
    private readonly DeviceCheckIns _checkIns;
    private readonly DeviceCa _ca;
    private readonly LogStore _logs;
    private readonly RolloutsOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<DeviceGrpcService> _logger;
    private readonly Histogram<double> _duration;
    private readonly DeploymentStore _deployments;
    private readonly TufRepository _tuf;

    public DeviceGrpcService(DeviceCredentials credentials, DeviceCheckIns checkIns, DeviceCa ca, LogStore logs, RolloutsOptions options, TimeProvider clock, ILogger<DeviceGrpcService> logger, IMeterFactory meters,
        DeploymentStore deployments, TufRepository tuf)
    {
        _deployments = deployments;
        _tuf = tuf;
        _credentials = credentials;
        _checkIns = checkIns;
        _ca = ca;
        _logs = logs;
        _options = options;
        _clock = clock;
        _logger = logger;
        _duration = meters.Create("Edgeplane.Plugins.Rollouts").CreateHistogram<double>("rollouts.device_api.duration", "s", "Device API call duration");
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsPost(request.Method) || request.ContentType is not { } type || !type.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await response.WriteAsync("this listener serves gRPC only (POST, content-type application/grpc, HTTP/2)\n");
            return;
        }
        if (request.Protocol != "HTTP/2")
        {
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var method = request.Path.StartsWithSegments("/edgeplane.rollouts.device.v1.DeviceService", out var rest) ? rest.Value?.TrimStart('/') ?? "" : "";
        response.ContentType = GrpcProtocol.ContentType;
        var timeout = GrpcProtocol.ParseTimeout(request.Headers["grpc-timeout"]);
        using var deadline = timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted);
        var status = GrpcStatus.Ok;
        try
        {
            var encoding = request.Headers["grpc-encoding"].ToString();
            if (encoding.Length > 0 && encoding != "identity")
                throw new RpcException(GrpcStatus.Unimplemented, $"grpc-encoding '{encoding}' is not supported; send identity");
            IMessage reply = method switch
            {
                "Enroll" => await EnrollAsync(context, await ReadAsync(context, EnrollRequest.Parser, linked.Token), linked.Token),
                "Renew" => await RenewAsync(context, await ReadAsync(context, RenewRequest.Parser, linked.Token), linked.Token),
                "CheckIn" => await CheckInAsync(context, await ReadAsync(context, CheckInRequest.Parser, linked.Token), linked.Token),
                "UploadLogs" => await UploadLogsAsync(context, await ReadAsync(context, UploadLogsRequest.Parser, linked.Token), linked.Token),
                "GetRepositoryFile" => await RepositoryFileAsync(context, await ReadAsync(context, RepositoryFileRequest.Parser, linked.Token), linked.Token),
                "ReportDeployment" => await ReportDeploymentAsync(context, await ReadAsync(context, DeploymentReport.Parser, linked.Token), linked.Token),
                _ => throw new RpcException(GrpcStatus.Unimplemented, $"unknown method '{request.Path}'"),
            };
            linked.Token.ThrowIfCancellationRequested();
            await GrpcProtocol.WriteMessageAsync(response, reply, linked.Token);
            response.AppendTrailer("grpc-status", "0");
        }
        catch (RpcException e)
        {
            status = e.Status;
            WriteStatus(response, e.Status, e.Message);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            status = GrpcStatus.DeadlineExceeded;
            WriteStatus(response, GrpcStatus.DeadlineExceeded, $"the deadline ({request.Headers["grpc-timeout"]}) was exceeded");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            status = GrpcStatus.Cancelled;
        }
        catch (Exception e)
        {
            status = GrpcStatus.Internal;
            _logger.LogError(e, "Device API call {Method} failed", method);
            WriteStatus(response, GrpcStatus.Internal, "internal error");
        }
        finally
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("status", status.ToString()));
        }
    }

    private static void WriteStatus(HttpResponse response, GrpcStatus status, string message)
    {
        if (!response.HasStarted)
        {
            // Trailers-only response: the status goes in the one HEADERS frame.
            response.Headers["grpc-status"] = ((int)status).ToString();
            response.Headers["grpc-message"] = GrpcProtocol.EncodeMessage(message);
            return;
        }
        response.AppendTrailer("grpc-status", ((int)status).ToString());
        response.AppendTrailer("grpc-message", GrpcProtocol.EncodeMessage(message));
    }

    // The request message is read to its end whatever the deadline (cancelling a read midway left the HTTP/2
    // stream half-read, and clients saw a framing error instead of DEADLINE_EXCEEDED); the deadline is checked
    // right after. Kestrel's minimum data rate still bounds a slow upload.
    private async Task<T> ReadAsync<T>(HttpContext context, MessageParser<T> parser, CancellationToken deadline) where T : IMessage<T>
    {
        var message = await GrpcProtocol.ReadMessageAsync(context.Request.BodyReader, parser, _options.MaxLogBytes + 64 * 1024, context.RequestAborted);
        deadline.ThrowIfCancellationRequested();
        return message;
    }

    private static X509Certificate2 ClientCertificate(HttpContext context) =>
        context.Connection.ClientCertificate ?? throw new RpcException(GrpcStatus.Unauthenticated, "a client certificate is required");

    /// <summary>The calling device, checked against the database on every call (revoked or deleted devices are refused at once).</summary>
    private async Task<DeviceIdentity> DeviceAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var certificate = ClientCertificate(context);
        if (DeviceCa.IsBootstrap(certificate))
            throw new RpcException(GrpcStatus.Unauthenticated, "this call needs a device certificate; a self-signed bootstrap certificate may only Enroll");
        if (certificate.NotAfter.ToUniversalTime() <= _clock.GetUtcNow().UtcDateTime)
            throw new RpcException(GrpcStatus.Unauthenticated, "the device certificate has expired; enroll again");
        return await _credentials.AuthenticateAsync(DeviceCa.SerialOf(certificate), cancellationToken)
            ?? throw new RpcException(GrpcStatus.Unauthenticated, "the device certificate is revoked or the device was deleted");
    }

    private static PublicKey CsrKey(ByteString csr)
    {
        if (csr.IsEmpty) throw new RpcException(GrpcStatus.InvalidArgument, "csr is required (DER-encoded PKCS#10)");
        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequest(csr.ToByteArray(), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException e)
        {
            throw new RpcException(GrpcStatus.InvalidArgument, "csr is not a valid, correctly signed PKCS#10 request: " + e.Message);
        }
        var key = request.PublicKey;
        var ok = key.Oid.Value switch
        {
            "1.2.840.10045.2.1" => key.GetECDsaPublicKey() is { KeySize: >= 256 },
            "1.2.840.113549.1.1.1" => key.GetRSAPublicKey() is { KeySize: >= 2048 },
            _ => false,
        };
        if (!ok) throw new RpcException(GrpcStatus.InvalidArgument, "csr must carry an ECDSA (P-256 or larger) or RSA (2048 bits or more) key");
        return key;
    }

    private static bool SameKey(PublicKey a, PublicKey b) => a.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(b.ExportSubjectPublicKeyInfo());

    private static IssuedCertificate Issued(X509Certificate2 certificate, DeviceCa ca) => new()
    {
        Certificate = ByteString.CopyFrom(certificate.RawData),
        CaCertificate = ByteString.CopyFrom(ca.ServerCa.RawData),
        NotAfterUnixMs = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).ToUnixTimeMilliseconds(),
        Serial = DeviceCa.SerialOf(certificate),
    };

    private async Task<IMessage> EnrollAsync(HttpContext context, EnrollRequest body, CancellationToken cancellationToken)
    {
        var certificate = ClientCertificate(context);
        if (!DeviceCa.IsBootstrap(certificate))
            throw new RpcException(GrpcStatus.FailedPrecondition, "this device already has a device certificate; use Renew");
        if (string.IsNullOrEmpty(body.Token)) throw new RpcException(GrpcStatus.InvalidArgument, "token is required");
        if (!Names.IsValidName(body.Name)) throw new RpcException(GrpcStatus.InvalidArgument, "name must be 1-63 letters, digits, '.', '-' or '_', starting with a letter or digit");
        if (Names.CheckLabels(body.Labels) is { } labelError) throw new RpcException(GrpcStatus.InvalidArgument, "labels: " + labelError);
        if (body.DeviceType.Length > 100) throw new RpcException(GrpcStatus.InvalidArgument, "device_type must be at most 100 characters");
        var key = CsrKey(body.Csr);
        if (!SameKey(key, certificate.PublicKey))
            throw new RpcException(GrpcStatus.PermissionDenied, "the CSR's key must be the key of the TLS client certificate (proof of possession)");
        var (device, issued) = await _credentials.EnrollAsync(body.Token, body.Name, body.Labels, body.DeviceType, key, cancellationToken);
        using (issued)
        {
            _logger.LogInformation("Device {Name} ({Id}) enrolled in team {Team}", device.Name, device.Id, device.TeamId);
            return new EnrollResponse
            {
                DeviceId = device.Id, Name = device.Name, Certificate = Issued(issued, _ca),
                CheckInIntervalSeconds = (int)_options.CheckInInterval.TotalSeconds,
            };
        }
    }

    private async Task<IMessage> RenewAsync(HttpContext context, RenewRequest body, CancellationToken cancellationToken)
    {
        var device = await DeviceAsync(context, cancellationToken);
        var key = CsrKey(body.Csr);
        using var issued = await _credentials.RenewAsync(device, key, cancellationToken);
        return new RenewResponse { Certificate = Issued(issued, _ca) };
    }

    private async Task<IMessage> CheckInAsync(HttpContext context, CheckInRequest body, CancellationToken cancellationToken)
    {
        var device = await DeviceAsync(context, cancellationToken);
        if (body.Attributes.Count > 256 || body.Software.Count > 10_000) throw new RpcException(GrpcStatus.InvalidArgument, "at most 256 attributes and 10,000 software entries");
        var health = body.Health ?? new Health { Status = "unknown" };
        var status = health.Status is "ok" or "degraded" or "failed" ? health.Status : string.IsNullOrEmpty(health.Status) ? "unknown" : throw new RpcException(GrpcStatus.InvalidArgument, "health.status must be ok, degraded or failed");
        var pending = await _checkIns.CheckInAsync(device, new Dictionary<string, string>(body.Attributes),
            body.Software.Select(s => new SoftwareItem(s.Name, s.Version)).ToList(),
            new HealthView(status, health.Message, health.UptimeSeconds, health.CpuPercent, health.MemoryPercent, health.DiskPercent), body.AgentVersion, cancellationToken);
        var now = _clock.GetUtcNow();
        var reply = new CheckInResponse
        {
            CheckInIntervalSeconds = (int)_options.CheckInInterval.TotalSeconds,
            ServerTimeUnixMs = now.ToUnixTimeMilliseconds(),
            CertificateExpiresInMs = (long)(device.NotAfter - now).TotalMilliseconds,
        };
        foreach (var p in pending)
        {
            var request = new LogRequest { Id = p.Id, MaxBytes = p.MaxBytes };
            request.Sources.AddRange(System.Text.Json.JsonSerializer.Deserialize<List<string>>(p.Sources, Json.Options) ?? []);
            reply.LogRequests.Add(request);
        }
        if (await _deployments.ActiveForDeviceAsync(device.DeviceId, cancellationToken) is { } active)
            reply.Deployment = new Edgeplane.Plugins.Rollouts.Device.V1.Deployment
            {
                RolloutId = active.RolloutId, ArtifactId = active.ArtifactId, Name = active.Name, Version = active.Version, TargetName = active.TargetName,
                Length = active.Size, Sha256 = active.Sha256, State = active.State,
            };
        reply.AbortedRolloutIds.AddRange(await _deployments.TakeAbortNoticesAsync(device.DeviceId, cancellationToken));
        return reply;
    }

    /// <summary>The update repository for devices over their mTLS channel: any metadata file, and targets of the device's own team.</summary>
    private async Task<IMessage> RepositoryFileAsync(HttpContext context, RepositoryFileRequest body, CancellationToken cancellationToken)
    {
        var device = await DeviceAsync(context, cancellationToken);
        var path = body.Path ?? "";
        if (path.StartsWith("targets/", StringComparison.Ordinal))
        {
            if (Api.TufModule.ParseTargetPath(path["targets/".Length..]) is not { } parsed
                || await _tuf.FindTargetAsync(parsed.Name, cancellationToken) is not { } target || target.Sha256 != parsed.Sha256 || target.TeamId != device.TeamId)
                return new RepositoryFileResponse { Found = false };
            if (target.Length > _options.MaxLogBytes) throw new RpcException(GrpcStatus.ResourceExhausted, $"the target is larger than the device API's message limit ({_options.MaxLogBytes} bytes)");
            var data = await _tuf.PayloadAsync(target.Sha256, cancellationToken);
            return data is null ? new RepositoryFileResponse { Found = false } : new RepositoryFileResponse { Found = true, Data = ByteString.CopyFrom(data) };
        }
        var match = System.Text.RegularExpressions.Regex.Match(path, @"^(?:(?<version>[1-9][0-9]{0,17})\.)?(?<role>root|targets|snapshot|timestamp)\.json$");
        if (!match.Success) throw new RpcException(GrpcStatus.InvalidArgument, "path must be a metadata file name or targets/...");
        long? version = match.Groups["version"].Success ? long.Parse(match.Groups["version"].Value) : null;
        var row = await _tuf.GetAsync(match.Groups["role"].Value, version, cancellationToken);
        return row is null ? new RepositoryFileResponse { Found = false } : new RepositoryFileResponse { Found = true, Data = ByteString.CopyFromUtf8(row.Document) };
    }

    private async Task<IMessage> ReportDeploymentAsync(HttpContext context, DeploymentReport body, CancellationToken cancellationToken)
    {
        var device = await DeviceAsync(context, cancellationToken);
        if (body.State is not ("downloading" or "installing" or "succeeded" or "failed" or "aborted"))
            throw new RpcException(GrpcStatus.InvalidArgument, "state must be downloading, installing, succeeded, failed or aborted");
        var state = await _deployments.ReportAsync(device.DeviceId, body.RolloutId, body.State, body.Message ?? "", cancellationToken)
            ?? throw new RpcException(GrpcStatus.NotFound, "no such deployment for this device");
        return new DeploymentReportResponse { State = state };
    }

    private async Task<IMessage> UploadLogsAsync(HttpContext context, UploadLogsRequest body, CancellationToken cancellationToken)
    {
        var device = await DeviceAsync(context, cancellationToken);
        if (string.IsNullOrEmpty(body.RequestId)) throw new RpcException(GrpcStatus.InvalidArgument, "request_id is required");
        var contentType = string.IsNullOrEmpty(body.ContentType) ? "application/octet-stream" : body.ContentType;
        if (!System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out _)) throw new RpcException(GrpcStatus.InvalidArgument, "content_type is not a media type");
        var fileName = string.IsNullOrEmpty(body.FileName) ? $"{device.Name}-{body.RequestId}.log" : Path.GetFileName(body.FileName);
        var (size, sha) = await _logs.UploadAsync(device, body.RequestId, contentType, fileName, body.Data.ToByteArray(), cancellationToken);
        return new UploadLogsResponse { RequestId = body.RequestId, Size = size, Sha256 = sha };
    }
}
