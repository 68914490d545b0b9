using System.Net;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Artifacts;

/// <summary>An HTTP proxy on 127.0.0.1 in front of the host that lets a test change what a client receives (a man in the middle).</summary>
public sealed class TamperProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream;
    private readonly Func<string, byte[], byte[]> _tamper;
    private readonly Task _loop;

    public TamperProxy(Uri upstream, Func<string, byte[], byte[]> tamper)
    {
        _upstream = new HttpClient { BaseAddress = upstream };
        _tamper = tamper;
        var port = FreePort.Next();
        Prefix = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Prefix);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Prefix { get; }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            try
            {
                var path = context.Request.Url!.AbsolutePath;
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (context.Request.Headers["Authorization"] is { } auth) request.Headers.TryAddWithoutValidation("Authorization", auth);
                using var response = await _upstream.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                if (response.IsSuccessStatusCode) body = _tamper(path, body);
                context.Response.StatusCode = (int)response.StatusCode;
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
            catch (Exception)
            {
                try { context.Response.Abort(); } catch (Exception) { }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (Exception) { }
        _upstream.Dispose();
    }
}
