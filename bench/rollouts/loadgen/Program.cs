using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Device.V1;
using Edgeplane.Rollouts.Agent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

// rollouts-loadgen reference --port P --ca-out ca.pem
//     A bare Kestrel mTLS HTTP/2 server answering every call with a fixed CheckInResponse: the transport ceiling.
// rollouts-loadgen run --target https://127.0.0.1:P --ca ca.pem --devices N --interval S --duration S --concurrency C
//     [--api http://127.0.0.1:H --password PW]   (Edgeplane: sign in, mint an enroll token, enroll N devices first)
//     [--state DIR]   (keep the enrolled devices' certificates in DIR and reuse them next time: enrol once, measure many)
var mode = args.ElementAtOrDefault(0);
var options = new Dictionary<string, string>();
for (var i = 1; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
string Opt(string name, string fallback) => options.TryGetValue(name, out var v) ? v : fallback;

if (mode == "reference") return await Reference.RunAsync(int.Parse(Opt("port", "7444")), Opt("ca-out", "reference-ca.pem"));
if (mode == "run") return await Load.RunAsync(new Uri(Opt("target", "https://127.0.0.1:7443")), Opt("ca", "ca.pem"), int.Parse(Opt("devices", "1000")),
    TimeSpan.FromSeconds(double.Parse(Opt("interval", "30"))), TimeSpan.FromSeconds(double.Parse(Opt("duration", "60"))),
    int.Parse(Opt("concurrency", "64")), TimeSpan.FromSeconds(double.Parse(Opt("saturate", "15"))), options.GetValueOrDefault("api"), options.GetValueOrDefault("password"), Opt("label", "edgeplane"),
    options.GetValueOrDefault("state"));
Console.Error.WriteLine("usage: rollouts-loadgen reference|run ...");
return 2;

internal static class Reference
{
    public static async Task<int> RunAsync(int port, string caOut)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=reference CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllTextAsync(caOut, ca.ExportCertificatePem());
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=reference", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3]);
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        var reply = new CheckInResponse { CheckInIntervalSeconds = 30, ServerTimeUnixMs = 1 }.ToByteArray();
        var framed = new byte[5 + reply.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)reply.Length);
        reply.CopyTo(framed, 5);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port, l =>
        {
            l.Protocols = HttpProtocols.Http2;
            l.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = server,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (_, _, _) => true,
            });
        }));
        var app = builder.Build();
        app.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(framed);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.RunAsync();
        return 0;
    }
}

internal static class Load
{
    private sealed record Device(DeviceClient Client);

    public static async Task<int> RunAsync(Uri target, string caPath, int count, TimeSpan interval, TimeSpan duration, int concurrency, TimeSpan saturate,
        string? api, string? password, string label, string? state)
    {
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(caPath));
        var stored = state is null ? [] : Directory.Exists(state) ? Directory.GetFiles(state, "*.pfx") : [];
        var token = api is null || stored.Length >= count ? null : await TokenAsync(new Uri(api), password!, count);
        var started = Stopwatch.StartNew();
        var devices = new Device[count];
        var failures = 0;
        if (state is not null) Directory.CreateDirectory(state);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            if (stored.Length >= count)
            {
                devices[i] = new Device(new DeviceClient(target, X509CertificateLoader.LoadPkcs12FromFile(stored[i], null), ca));
                return;
            }
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=sim-{i}", key, HashAlgorithmName.SHA256);
            using var bootstrap = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(2));
            var bootstrapCert = X509CertificateLoader.LoadPkcs12(bootstrap.Export(X509ContentType.Pkcs12), null);
            if (token is null)
            {
                devices[i] = new Device(new DeviceClient(target, bootstrapCert, ca));
                return;
            }
            using var enrolling = new DeviceClient(target, bootstrapCert, ca);
            try
            {
                var reply = await enrolling.CallAsync("Enroll", new EnrollRequest { Token = token, Name = $"sim-{i:D6}-{Guid.NewGuid():N}"[..24], Csr = ByteString.CopyFrom(request.CreateSigningRequest()) },
                    EnrollResponse.Parser, cancellationToken: ct);
                using var cert = X509CertificateLoader.LoadCertificate(reply.Certificate.Certificate.ToByteArray());
                using var withKey = cert.CopyWithPrivateKey(key);
                var pfx = withKey.Export(X509ContentType.Pkcs12);
                if (state is not null) await File.WriteAllBytesAsync(Path.Combine(state, $"{i:D6}.pfx"), pfx, ct);
                devices[i] = new Device(new DeviceClient(target, X509CertificateLoader.LoadPkcs12(pfx, null), ca));
            }
            catch (Exception e)
            {
                if (Interlocked.Increment(ref failures) < 5) Console.Error.WriteLine($"enroll {i}: {e.Message}");
            }
        });
        var ready = devices.Where(d => d is not null).ToArray();
        Console.Error.WriteLine($"[{label}] {ready.Length} devices ready in {started.Elapsed.TotalSeconds:F1} s ({failures} failed)");

        // First contact: every device opens its own connection (TLS handshake) and checks in once.
        var warm = Stopwatch.StartNew();
        await Parallel.ForEachAsync(ready, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (d, ct) =>
        {
            try { await d.Client.CallAsync("CheckIn", Request(), CheckInResponse.Parser, cancellationToken: ct); } catch (Exception) { Interlocked.Increment(ref failures); }
        });
        Console.Error.WriteLine($"[{label}] first check-in (with handshake) of all devices: {warm.Elapsed.TotalSeconds:F1} s");

        // Sustained: every device checks in every interval, spread evenly, over its kept-alive connection.
        var sustained = await SustainedAsync(ready, interval, duration);
        // Saturation: a closed loop over `concurrency` devices for the maximum rate.
        var max = await SaturateAsync(ready.Take(concurrency).ToArray(), saturate);
        Console.WriteLine($"RESULT label={label} devices={ready.Length} interval_s={interval.TotalSeconds} target_rps={ready.Length / interval.TotalSeconds:F0} " +
            $"sustained_rps={sustained.Rate:F0} sustained_p50_ms={sustained.P50:F2} sustained_p99_ms={sustained.P99:F2} sustained_errors={sustained.Errors} " +
            $"max_rps={max.Rate:F0} max_p50_ms={max.P50:F2} max_p99_ms={max.P99:F2} max_errors={max.Errors} concurrency={concurrency}");
        foreach (var d in ready) d.Client.Dispose();
        return 0;
    }

    private static CheckInRequest Request()
    {
        var request = new CheckInRequest { AgentVersion = "loadgen", Health = new Health { Status = "ok", UptimeSeconds = 100 } };
        request.Attributes["os"] = "linux";
        request.Attributes["arch"] = "arm64";
        request.Software.Add(new Software { Name = "firmware", Version = "1.0.0" });
        return request;
    }

    private const double SlowMs = 50;

    private sealed record Stats(double Rate, double P50, double P99, int Errors);

    private static Stats Summarize(ConcurrentBag<double> latencies, int errors, TimeSpan elapsed)
    {
        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return new Stats(sorted.Length / elapsed.TotalSeconds, P(0.50), P(0.99), errors);
    }

    private static async Task<Stats> SustainedAsync(Device[] devices, TimeSpan interval, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double>();
        var slow = new ConcurrentBag<(int Second, double Ms)>();
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var tasks = devices.Select(async (d, i) =>
        {
            var next = interval * ((double)i / devices.Length);
            while (next < duration)
            {
                var wait = next - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                var t = Stopwatch.GetTimestamp();
                try
                {
                    await d.Client.CallAsync("CheckIn", Request(), CheckInResponse.Parser);
                    var ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                    latencies.Add(ms);
                    if (ms > SlowMs) slow.Add(((int)next.TotalSeconds, ms));
                }
                catch (Exception) { Interlocked.Increment(ref errors); }
                next += interval;
            }
        });
        await Task.WhenAll(tasks);
        // Where the tail comes from: the scheduled seconds whose check-ins took longer than SlowMs.
        foreach (var second in slow.GroupBy(s => s.Second).OrderBy(g => g.Key))
            Console.Error.WriteLine($"  slow at {second.Key,3} s: {second.Count()} check-ins over {SlowMs} ms, worst {second.Max(s => s.Ms):F0} ms");
        return Summarize(latencies, errors, duration);
    }

    private static async Task<Stats> SaturateAsync(Device[] devices, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(devices.Select(async d =>
        {
            while (clock.Elapsed < duration)
            {
                var t = Stopwatch.GetTimestamp();
                try
                {
                    await d.Client.CallAsync("CheckIn", Request(), CheckInResponse.Parser);
                    latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
                catch (Exception) { Interlocked.Increment(ref errors); }
            }
        }));
        return Summarize(latencies, errors, clock.Elapsed);
    }

    /// <summary>Signs in as the bootstrap admin (enroll-token administration is session-only) and mints a token for every device.</summary>
    private static async Task<string> TokenAsync(Uri api, string password, int uses)
    {
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = api };
        using var login = await http.PostAsJsonAsync("/rollouts/api/v1/auth/login", new { username = "admin", password });
        login.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Add("X-CSRF-Token", (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["csrfToken"]!);
        using var token = await http.PostAsJsonAsync("/rollouts/api/v1/enroll-tokens", new { name = "bench", maxUses = uses, expiresInSeconds = 7200 });
        token.EnsureSuccessStatusCode();
        return (string)(await token.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
    }
}
