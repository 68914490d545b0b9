using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Edgeplane.Plugins.Rollouts.Device.V1;
using Edgeplane.Plugins.Rollouts.Tuf;
using Edgeplane.Rollouts.Agent;
using Google.Protobuf;

// The reference device agent: enrolls with a token, keeps its key and certificate on disk, checks in
// on the interval the server asks for, renews its certificate before it expires, and answers log
// requests. It prints one JSON line per event on standard output.
var options = AgentOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("""
        usage: edgeplane-rollouts-agent --server https://127.0.0.1:7443 --ca ca.pem --state-dir DIR
                 [--token TOKEN --name NAME] [--device-type TYPE] [--label k=v]...
                 [--attribute k=v]... [--software name=version]... [--log-source name=path]...
                 [--health ok|degraded|failed] [--interval SECONDS] [--once]
                 [--fail-install ARTIFACT-NAME]... [--install-seconds N]
          An install also fails when the file {state-dir}/fail-install-{artifact name} exists (failure injection).
        """);
    return 2;
}
var stop = new CancellationTokenSource(); // not disposed: ProcessExit may still cancel it
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
try
{
    return await new Agent(options).RunAsync(stop.Token);
}
catch (OperationCanceledException)
{
    return 0;
}

internal sealed record AgentOptions(Uri Server, string CaPath, string StateDir, string? Token, string? Name, string DeviceType,
    Dictionary<string, string> Labels, Dictionary<string, string> Attributes, List<(string Name, string Version)> Software,
    Dictionary<string, string> LogSources, string Health, int? Interval, bool Once)
{
    public HashSet<string> FailInstalls { get; init; } = [];
    public int InstallSeconds { get; init; }

    public static AgentOptions? Parse(string[] args)
    {
        string? server = null, ca = null, state = null, token = null, name = null, type = "generic", health = "ok";
        int? interval = null;
        var once = false;
        var labels = new Dictionary<string, string>();
        var attributes = new Dictionary<string, string>();
        var software = new List<(string, string)>();
        var sources = new Dictionary<string, string>();
        var failInstalls = new HashSet<string>();
        var installSeconds = 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            static (string, string) Pair(string s, char sep) => s.IndexOf(sep) is var at and > 0 ? (s[..at], s[(at + 1)..]) : throw new ArgumentException($"'{s}' must be a{sep}b");
            switch (args[i])
            {
                case "--server": server = Next(); break;
                case "--ca": ca = Next(); break;
                case "--state-dir": state = Next(); break;
                case "--token": token = Next(); break;
                case "--name": name = Next(); break;
                case "--device-type": type = Next(); break;
                case "--health": health = Next(); break;
                case "--interval": interval = int.Parse(Next()); break;
                case "--once": once = true; break;
                case "--label": { var (k, v) = Pair(Next(), '='); labels[k] = v; break; }
                case "--attribute": { var (k, v) = Pair(Next(), '='); attributes[k] = v; break; }
                case "--software": software.Add(Pair(Next(), '=')); break;
                case "--log-source": { var (k, v) = Pair(Next(), '='); sources[k] = v; break; }
                case "--fail-install": failInstalls.Add(Next()); break;
                case "--install-seconds": installSeconds = int.Parse(Next()); break;
                default: return null;
            }
        }
        if (server is null || ca is null || state is null) return null;
        return new AgentOptions(new Uri(server), ca, state, token, name, type, labels, attributes, software, sources, health, interval, once)
        {
            FailInstalls = failInstalls, InstallSeconds = installSeconds,
        };
    }
}

internal sealed class Agent(AgentOptions options)
{
    private const string Version = "0.1.0";
    private readonly Credentials _credentials = new(options.StateDir);
    private readonly X509Certificate2 _ca = X509CertificateLoader.LoadCertificate(PemDer(File.ReadAllText(options.CaPath)));
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    private static byte[] PemDer(string pem) => PemEncoding.TryFind(pem, out var fields) ? Convert.FromBase64String(pem[fields.Base64Data]) : throw new InvalidDataException("no PEM block");

    private static void Emit(string @event, object? data = null) =>
        Console.WriteLine(JsonSerializer.Serialize(new { @event, at = DateTimeOffset.UtcNow, data }, JsonSerializerOptions.Web));

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!_credentials.Enrolled)
        {
            if (options.Token is null || options.Name is null)
            {
                Emit("error", new { message = "not enrolled: give --token and --name" });
                return 2;
            }
            try
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await EnrollAsync(cancellationToken);
                        break;
                    }
                    catch (HttpRequestException e) when (attempt < 5)
                    {
                        // the server is unreachable or the handshake timed out: try again
                        Emit("unreachable", new { message = e.InnerException?.Message ?? e.Message, attempt });
                        await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
                    }
                }
            }
            catch (GrpcCallException e)
            {
                Emit("enroll_failed", new { status = e.Status, message = e.Detail });
                return 3;
            }
        }
        var interval = TimeSpan.FromSeconds(options.Interval ?? 30);
        var client = new DeviceClient(options.Server, _credentials.Load(), _ca);
        try
        {
            while (true)
            {
                try
                {
                    var reply = await client.CallAsync("CheckIn", BuildCheckIn(), CheckInResponse.Parser, TimeSpan.FromSeconds(20), cancellationToken);
                    if (options.Interval is null && reply.CheckInIntervalSeconds > 0) interval = TimeSpan.FromSeconds(reply.CheckInIntervalSeconds);
                    Emit("checked_in", new { logRequests = reply.LogRequests.Select(r => r.Id), reply.CertificateExpiresInMs });
                    foreach (var request in reply.LogRequests) await UploadAsync(client, request, cancellationToken);
                    foreach (var aborted in reply.AbortedRolloutIds) Emit("deployment_aborted", new { rolloutId = aborted, by = "check-in" });
                    if (reply.Deployment is { RolloutId.Length: > 0 } deployment) await DeployAsync(client, deployment, cancellationToken);
                    if (NeedsRenewal(reply.CertificateExpiresInMs))
                    {
                        await RenewAsync(client, cancellationToken);
                        client.Dispose();
                        client = new DeviceClient(options.Server, _credentials.Load(), _ca);
                    }
                }
                catch (GrpcCallException e)
                {
                    Emit("refused", new { status = e.Status, message = e.Detail });
                    if (e.Status == 16 && options.Once) return 4;
                }
                catch (HttpRequestException e)
                {
                    Emit("unreachable", new { message = e.InnerException?.Message ?? e.Message });
                }
                if (options.Once) return 0;
                await Task.Delay(interval, cancellationToken);
            }
        }
        finally
        {
            client.Dispose();
        }
    }

    private bool NeedsRenewal(long expiresInMs)
    {
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(_credentials.CertificatePath);
        var lifetime = certificate.NotAfter - certificate.NotBefore;
        return expiresInMs < lifetime.TotalMilliseconds / 3;
    }

    private async Task EnrollAsync(CancellationToken cancellationToken)
    {
        var (key, csr, bootstrap) = Credentials.NewKey(options.Name!);
        using var client = new DeviceClient(options.Server, bootstrap, _ca);
        var request = new EnrollRequest { Token = options.Token, Name = options.Name, Csr = ByteString.CopyFrom(csr), DeviceType = options.DeviceType };
        request.Labels.Add(options.Labels);
        var reply = await client.CallAsync("Enroll", request, EnrollResponse.Parser, TimeSpan.FromSeconds(30), cancellationToken);
        _credentials.Save(key, reply.Certificate.Certificate.ToByteArray(), $"{reply.DeviceId} {reply.Name}\n");
        Emit("enrolled", new { reply.DeviceId, reply.Name, serial = reply.Certificate.Serial, notAfter = DateTimeOffset.FromUnixTimeMilliseconds(reply.Certificate.NotAfterUnixMs) });
    }

    private async Task RenewAsync(DeviceClient client, CancellationToken cancellationToken)
    {
        var (key, csr, _) = Credentials.NewKey(options.Name ?? "device");
        var reply = await client.CallAsync("Renew", new RenewRequest { Csr = ByteString.CopyFrom(csr) }, RenewResponse.Parser, TimeSpan.FromSeconds(30), cancellationToken);
        var line = File.Exists(_credentials.DevicePath) ? File.ReadAllText(_credentials.DevicePath) : "";
        _credentials.Save(key, reply.Certificate.Certificate.ToByteArray(), line);
        Emit("renewed", new { serial = reply.Certificate.Serial, notAfter = DateTimeOffset.FromUnixTimeMilliseconds(reply.Certificate.NotAfterUnixMs) });
    }

    private CheckInRequest BuildCheckIn()
    {
        var request = new CheckInRequest { AgentVersion = Version };
        request.Attributes["os"] = RuntimeInformation.OSDescription;
        request.Attributes["arch"] = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        request.Attributes["hostname"] = Environment.MachineName;
        request.Attributes["runtime"] = RuntimeInformation.FrameworkDescription;
        foreach (var (k, v) in options.Attributes) request.Attributes[k] = v;
        // One version per name: what the agent installed since it was started wins over the version it was started with.
        var software = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["edgeplane-rollouts-agent"] = Version };
        foreach (var (name, version) in options.Software) software[name] = version;
        foreach (var (name, version) in Installed()) software[name] = version;
        foreach (var (name, version) in software) request.Software.Add(new Software { Name = name, Version = version });
        var drive = new DriveInfo(Path.GetFullPath(options.StateDir));
        request.Health = new Health
        {
            Status = options.Health,
            UptimeSeconds = (long)(DateTimeOffset.UtcNow - _started).TotalSeconds,
            MemoryPercent = MemoryPercent(),
            DiskPercent = drive.TotalSize > 0 ? 100.0 * (drive.TotalSize - drive.AvailableFreeSpace) / drive.TotalSize : 0,
        };
        return request;
    }

    private static double MemoryPercent()
    {
        var info = GC.GetGCMemoryInfo();
        return info.TotalAvailableMemoryBytes > 0 ? 100.0 * info.MemoryLoadBytes / info.TotalAvailableMemoryBytes : 0;
    }

    /// <summary>One source: its file as it is (truncated to the request's limit). Several: a gzip-compressed tar of them.</summary>
    private async Task UploadAsync(DeviceClient client, LogRequest request, CancellationToken cancellationToken)
    {
        var sources = request.Sources.Count > 0 ? request.Sources.ToList() : ["agent"];
        byte[] data;
        string contentType, fileName;
        if (sources.Count == 1)
        {
            data = await ReadSourceAsync(sources[0], cancellationToken);
            contentType = options.LogSources.TryGetValue(sources[0], out var path) && (path.EndsWith(".log") || path.EndsWith(".txt")) ? "text/plain" : "application/octet-stream";
            fileName = options.LogSources.TryGetValue(sources[0], out var p) ? Path.GetFileName(p) : $"{sources[0]}.log";
        }
        else
        {
            using var buffer = new MemoryStream();
            await using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var source in sources)
                {
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, source + ".log") { DataStream = new MemoryStream(await ReadSourceAsync(source, cancellationToken)) };
                    await tar.WriteEntryAsync(entry, cancellationToken);
                }
            }
            data = buffer.ToArray();
            contentType = "application/gzip";
            fileName = "logs.tar.gz";
        }
        if (data.Length > request.MaxBytes) data = data[..(int)request.MaxBytes];
        try
        {
            var reply = await client.CallAsync("UploadLogs",
                new UploadLogsRequest { RequestId = request.Id, ContentType = contentType, FileName = fileName, Data = ByteString.CopyFrom(data) },
                UploadLogsResponse.Parser, TimeSpan.FromMinutes(2), cancellationToken);
            Emit("logs_uploaded", new { request = request.Id, reply.Size, reply.Sha256 });
        }
        catch (GrpcCallException e)
        {
            Emit("logs_refused", new { request = request.Id, status = e.Status, message = e.Detail });
        }
    }

    private string InstalledPath => Path.Combine(options.StateDir, "installed.json");
    private string DeploymentsPath => Path.Combine(options.StateDir, "deployments.json");

    private Dictionary<string, string> Installed() =>
        File.Exists(InstalledPath) ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(InstalledPath)) ?? [] : [];

    private Dictionary<string, string> Finished() =>
        File.Exists(DeploymentsPath) ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(DeploymentsPath)) ?? [] : [];

    private void Finish(string rolloutId, string state)
    {
        var finished = Finished();
        finished[rolloutId] = state;
        File.WriteAllText(DeploymentsPath, JsonSerializer.Serialize(finished));
    }

    private static async Task<string> ReportAsync(DeviceClient client, string rolloutId, string state, string message, CancellationToken ct)
    {
        var reply = await client.CallAsync("ReportDeployment", new DeploymentReport { RolloutId = rolloutId, State = state, Message = message },
            DeploymentReportResponse.Parser, TimeSpan.FromSeconds(20), ct);
        return reply.State;
    }

    /// <summary>
    /// Installs a deployment: downloads the target through the update repository as a TUF client (root, timestamp,
    /// snapshot and targets verified; length and SHA-256 checked against the signed targets metadata), "installs" it
    /// (writes it under the state directory and reports the new software version), and reports each step.
    /// </summary>
    private async Task DeployAsync(DeviceClient client, Deployment deployment, CancellationToken ct)
    {
        var id = deployment.RolloutId;
        if (Finished().TryGetValue(id, out var final))
        {
            await ReportAsync(client, id, final, "reported again", ct); // the earlier report was lost
            return;
        }
        Emit("deployment_received", new { rolloutId = id, deployment.Name, deployment.Version, deployment.TargetName });
        if (await ReportAsync(client, id, "downloading", "", ct) == "aborted")
        {
            Finish(id, "aborted");
            Emit("deployment_aborted", new { rolloutId = id, by = "report" });
            return;
        }
        byte[] payload;
        try
        {
            var tuf = new TufClient(async (path, token) =>
            {
                var reply = await client.CallAsync("GetRepositoryFile", new RepositoryFileRequest { Path = path }, RepositoryFileResponse.Parser, TimeSpan.FromMinutes(2), token);
                return reply.Found ? reply.Data.ToByteArray() : null;
            }, options.StateDir);
            await tuf.RefreshAsync(ct);
            payload = await tuf.DownloadAsync(deployment.TargetName, ct);
            if (payload.LongLength != deployment.Length || Convert.ToHexStringLower(SHA256.HashData(payload)) != deployment.Sha256)
                throw new TufException("the deployment's announced length or hash differs from the signed target");
            Emit("deployment_verified", new { rolloutId = id, length = payload.LongLength, rootVersion = tuf.RootVersion });
        }
        catch (TufException e)
        {
            await ReportAsync(client, id, "failed", "verification failed: " + e.Message, ct);
            Finish(id, "failed");
            Emit("deployment_failed", new { rolloutId = id, message = e.Message });
            return;
        }
        if (await ReportAsync(client, id, "installing", "", ct) == "aborted")
        {
            Finish(id, "aborted");
            Emit("deployment_aborted", new { rolloutId = id, by = "report" });
            return;
        }
        for (var s = 0; s < options.InstallSeconds; s++)
        {
            await Task.Delay(1000, ct);
            if (await ReportAsync(client, id, "installing", $"{s + 1}/{options.InstallSeconds} s", ct) == "aborted")
            {
                Finish(id, "aborted");
                Emit("deployment_aborted", new { rolloutId = id, by = "report" });
                return;
            }
        }
        if (options.FailInstalls.Contains(deployment.Name) || File.Exists(Path.Combine(options.StateDir, "fail-install-" + deployment.Name)))
        {
            await ReportAsync(client, id, "failed", "injected failure", ct);
            Finish(id, "failed");
            Emit("deployment_failed", new { rolloutId = id, message = "injected failure" });
            return;
        }
        var dir = Path.Combine(options.StateDir, "installed");
        Directory.CreateDirectory(dir);
        await File.WriteAllBytesAsync(Path.Combine(dir, deployment.Name), payload, ct);
        var installed = Installed();
        installed[deployment.Name] = deployment.Version;
        File.WriteAllText(InstalledPath, JsonSerializer.Serialize(installed));
        var state = await ReportAsync(client, id, "succeeded", $"installed {deployment.Name} {deployment.Version}", ct);
        Finish(id, "succeeded");
        Emit("deployment_succeeded", new { rolloutId = id, deployment.Name, deployment.Version, recorded = state });
    }

    private async Task<byte[]> ReadSourceAsync(string source, CancellationToken cancellationToken) =>
        options.LogSources.TryGetValue(source, out var path) && File.Exists(path)
            ? await File.ReadAllBytesAsync(path, cancellationToken)
            : System.Text.Encoding.UTF8.GetBytes($"no log source '{source}' on this device\n");
}
