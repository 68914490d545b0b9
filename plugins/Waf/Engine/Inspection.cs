using System.Net;
using System.Text;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// The parts of a request the engine looks at, already extracted from the wire; the request id names a block
/// in the log and events. <see cref="BodyCut"/>: <see cref="Body"/> is only the first part of a larger body
/// (the inspection limit).
/// </summary>
public sealed record InspectionRequest(
    IPAddress? ClientAddress,
    string Method,
    string RawPath,
    string RawQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? Body,
    string? ContentType = null,
    string? RequestId = null,
    bool BodyCut = false,
    string? Protocol = null);

public enum VerdictKind
{
    Pass,
    Block,
    RateLimited,
}

public sealed record Verdict(VerdictKind Kind, string? Reason, string? AttackType, WafRule? Rule, int? RetryAfterSeconds, IReadOnlyList<RuleMatcher.RuleMatch> Matches)
{
    /// <summary>A passed request's SecLang transaction, to check the upstream's response with (when responses are inspected); the caller disposes it.</summary>
    public SecLangResponseCheck? Response { get; init; }

    public static Verdict Pass(IReadOnlyList<RuleMatcher.RuleMatch> matches) => new(VerdictKind.Pass, null, null, null, null, matches);
}

/// <summary>Turns request parts into the normalised text the rules see.</summary>
public static class RequestText
{
    /// <summary>The decoded form (up to two rounds of percent-decoding), followed by the raw form when they differ.</summary>
    public static string Decode(string raw, bool plusIsSpace)
    {
        if (raw.Length == 0) return raw;
        if (raw.IndexOf('%') < 0 && (!plusIsSpace || raw.IndexOf('+') < 0)) return raw;
        var decoded = PercentDecode(plusIsSpace ? raw.Replace('+', ' ') : raw);
        if (decoded.Contains('%')) decoded = PercentDecode(decoded);
        return decoded == raw ? raw : decoded + "\n" + raw;
    }

    private static string PercentDecode(string s)
    {
        try
        {
            return Uri.UnescapeDataString(s);
        }
        catch (UriFormatException)
        {
            return s;
        }
    }

    [ThreadStatic] private static StringBuilder? t_headers;

    public static string Headers(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var sb = t_headers ??= new StringBuilder(1024);
        sb.Clear();
        foreach (var (name, value) in headers)
        {
            sb.Append(name).Append(": ").Append(value).Append('\n');
            if (name.Equals("cookie", StringComparison.OrdinalIgnoreCase) && value.Contains('%'))
                sb.Append(name).Append(": ").Append(Decode(value, plusIsSpace: false)).Append('\n');
        }
        var text = sb.ToString();
        if (sb.Capacity > 64 * 1024) t_headers = null; // do not keep a huge buffer per thread
        return text;
    }

    public static string Body(string body, string? contentType) =>
        contentType is not null && contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? Decode(body, plusIsSpace: true)
            : body;
}
