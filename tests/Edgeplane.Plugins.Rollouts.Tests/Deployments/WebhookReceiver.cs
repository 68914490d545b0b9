using System.Net;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Deployments;

/// <summary>Collects the JSON the plugin POSTs to its webhook, on 127.0.0.1.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<JsonObject> _events = [];
    private readonly Task _loop;

    public WebhookReceiver()
    {
        Url = $"http://127.0.0.1:{FreePort.Next()}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                try
                {
                    var context = await _listener.GetContextAsync();
                    using (var reader = new StreamReader(context.Request.InputStream))
                    {
                        var body = await reader.ReadToEndAsync();
                        lock (_events) _events.Add(JsonNode.Parse(body)!.AsObject());
                    }
                    context.Response.StatusCode = 204;
                    context.Response.Close();
                }
                catch (Exception) when (!_listener.IsListening)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    return;
                }
            }
        });
    }

    public string Url { get; }

    public IReadOnlyList<JsonObject> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (Exception) { }
    }
}
