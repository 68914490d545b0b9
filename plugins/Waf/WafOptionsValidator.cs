using Edgeplane.Abstractions.Network;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Waf;

/// <summary>Checks the plugin's settings when the host starts: each bad value is named with its key and the reason.</summary>
public sealed class WafOptionsValidator : IValidateOptions<WafOptions>
{
    private const string Section = "Edgeplane:Plugins:waf:";

    public ValidateOptionsResult Validate(string? name, WafOptions options)
    {
        var failures = new List<string>();
        void Check(bool valid, string key, string message)
        {
            if (!valid) failures.Add($"{Section}{key}: {message}");
        }
        Check(options.Role.ToLowerInvariant() is "standalone" or "orchestrator" or "node", "Role", $"'{options.Role}' must be standalone, orchestrator or node");
        Check(options.NodeId is { Length: > 0 and <= 100 } && !options.NodeId.Any(char.IsControl), "NodeId", "must be 1 to 100 printable characters");
        Check(!string.IsNullOrWhiteSpace(options.Mode), "Mode", "is required");
        Check(options.ParanoiaLevel is >= 1 and <= 4, "ParanoiaLevel", "must be 1 to 4");
        Check(options.InboundAnomalyThreshold >= 1, "InboundAnomalyThreshold", "must be 1 or more");
        Check(options.OutboundAnomalyThreshold >= 1, "OutboundAnomalyThreshold", "must be 1 or more");
        Check(options.RuleFiles.All(f => !string.IsNullOrWhiteSpace(f)), "RuleFiles", "must not hold an empty path");
        Check(options.SyncIntervalSeconds is > 0 and <= 3600, "SyncIntervalSeconds", "must be greater than 0 and at most 3600");
        Check(options.NodeHealthTimeoutSeconds >= 1, "NodeHealthTimeoutSeconds", "must be 1 or more");
        Check(options.EventThrottleSeconds >= 0, "EventThrottleSeconds", "must be 0 or more");
        Check(options.GuardHostExclude.All(p => p is ['/', ..]), "GuardHostExclude", "each path prefix must start with '/'");
        Check(options.Orchestrator.Url is null || IsHttpUrl(options.Orchestrator.Url), "Orchestrator:Url", $"'{options.Orchestrator.Url}' is not an absolute http(s) URL");
        Check(!options.IsNode || !string.IsNullOrEmpty(options.Orchestrator.Url), "Orchestrator:Url", "is required in the node role");

        var proxy = options.Proxy;
        Check(IsListenAddress(proxy.Listen), "Proxy:Listen", $"'{proxy.Listen}' must be http://IP:PORT");
        Check(string.IsNullOrEmpty(proxy.Upstream) || IsHttpUrl(proxy.Upstream), "Proxy:Upstream", $"'{proxy.Upstream}' is not an absolute http(s) URL");
        Check(proxy.MaxInspectBodyBytes >= 0, "Proxy:MaxInspectBodyBytes", "must be 0 or more");
        Check(proxy.OversizeBody is "pass" or "block", "Proxy:OversizeBody", $"'{proxy.OversizeBody}' must be pass or block");
        Check(proxy.RequestHeadersTimeoutSeconds >= 1, "Proxy:RequestHeadersTimeoutSeconds", "must be 1 or more");
        Check(proxy.MinRequestBodyBytesPerSecond >= 0, "Proxy:MinRequestBodyBytesPerSecond", "must be 0 or more");
        Check(proxy.KeepAliveTimeoutSeconds >= 1, "Proxy:KeepAliveTimeoutSeconds", "must be 1 or more");
        Check(proxy.UpstreamTimeoutSeconds >= 1, "Proxy:UpstreamTimeoutSeconds", "must be 1 or more");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";

    private static bool IsListenAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && IpText.TryParseAddress(url.Host.Trim('[', ']'), out _);
}
