namespace Edgeplane.Plugins.Waf;

/// <summary>The reverse-proxy listener (<c>Edgeplane:Plugins:waf:Proxy</c>).</summary>
public sealed class WafProxyOptions
{
    /// <summary>Whether the listener runs; it also needs <see cref="Upstream"/>.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Where the proxy listens; 127.0.0.1 unless an operator says otherwise.</summary>
    public string Listen { get; set; } = "http://127.0.0.1:8080";
    /// <summary>The origin the proxy forwards to, e.g. <c>http://127.0.0.1:3000</c>.</summary>
    public string? Upstream { get; set; }
    /// <summary>How much of a request body is inspected (the rest is forwarded uninspected, or refused: <see cref="OversizeBody"/>).</summary>
    public int MaxInspectBodyBytes { get; set; } = 64 * 1024;
    /// <summary>
    /// A body larger than <see cref="MaxInspectBodyBytes"/>: <c>pass</c> (default, like ModSecurity's
    /// <c>ProcessPartial</c>: its first part is inspected, the request is logged and forwarded whole) or
    /// <c>block</c> (answered 413, never forwarded).
    /// </summary>
    public string OversizeBody { get; set; } = "pass";

    public bool BlocksOversizeBodies => OversizeBody == "block";
    /// <summary>
    /// Run the SecLang rules' response phases (3: status and headers, 4: body) on what the upstream answers; a blocked
    /// response is replaced by a 403. Off by default, as in ModSecurity: text bodies are held back until inspected.
    /// </summary>
    public bool InspectResponses { get; set; }
    /// <summary>How much of a response body is inspected; the rest streams through uninspected (ModSecurity's <c>ProcessPartial</c>).</summary>
    public int MaxInspectResponseBodyBytes { get; set; } = 512 * 1024;
    /// <summary>The media types whose bodies are inspected (ModSecurity's <c>SecResponseBodyMimeType</c>), space- or comma-separated.</summary>
    public string InspectResponseTypes { get; set; } = "text/plain text/html text/xml";
    /// <summary>A client must send its request headers within this time (slowloris defence).</summary>
    public int RequestHeadersTimeoutSeconds { get; set; } = 10;
    /// <summary>A client sending a body slower than this (after a 5 s grace) is cut off.</summary>
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;
    /// <summary>Idle keep-alive connections are closed after this time.</summary>
    public int KeepAliveTimeoutSeconds { get; set; } = 60;
    /// <summary>Upstream response timeout.</summary>
    public int UpstreamTimeoutSeconds { get; set; } = 100;
    /// <summary>
    /// Run request handling on the socket's I/O thread instead of queueing it to the thread pool
    /// (Kestrel's <c>UnsafePreferInlineScheduling</c>): one thread hop less per request, lower latency.
    /// Safe here because the proxy's handler never blocks.
    /// </summary>
    public bool InlineScheduling { get; set; } = true;
}
