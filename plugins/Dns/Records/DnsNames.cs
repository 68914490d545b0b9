namespace Edgeplane.Plugins.Dns.Records;

/// <summary>
/// Domain names as the plugin keeps them: lowercase, no trailing dot, the root as "".
/// Syntax follows RFC 1035 / RFC 1123 (letters, digits, hyphen; labels of 1–63 characters, not
/// starting or ending with a hyphen; at most 253 characters, i.e. 255 octets on the wire).
/// Owner names may also carry underscores (RFC 8552: <c>_sip._tcp</c>, <c>_dmarc</c>) and a
/// leading <c>*</c> label is refused (wildcards are not served).
/// </summary>
public static class DnsNames
{
    public const int MaxNameLength = 253;
    public const int MaxLabelLength = 63;

    /// <summary>Lowercases and removes one trailing dot.</summary>
    public static string Normalize(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        return n.EndsWith('.') ? n[..^1] : n;
    }

    /// <summary>Null when <paramref name="name"/> (normalized) is a valid name; otherwise why not.</summary>
    public static string? Check(string name, bool allowUnderscore)
    {
        if (name.Length == 0) return "must not be empty";
        if (name.Length > MaxNameLength) return $"must be at most {MaxNameLength} characters";
        foreach (var label in name.Split('.'))
        {
            if (label.Length == 0) return "must not contain empty labels";
            if (label.Length > MaxLabelLength) return $"labels must be at most {MaxLabelLength} characters";
            if (label[0] == '-' || label[^1] == '-') return "labels must not start or end with a hyphen";
            foreach (var c in label)
            {
                var ok = c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' || (allowUnderscore && c == '_');
                if (!ok) return allowUnderscore
                    ? "labels may contain only letters, digits, hyphens and underscores"
                    : "labels may contain only letters, digits and hyphens";
            }
        }
        return null;
    }

    /// <summary>
    /// Whether a name-valued field holds an IP address instead of a name: an IPv4/IPv6 literal, or a name
    /// whose last label is all digits (RFC 1123 §2.1: a top-level label is never numeric, so such a name is a
    /// dotted address, "10.1" included).
    /// </summary>
    public static bool IsAddressLike(string name)
    {
        if (System.Net.IPAddress.TryParse(name, out _)) return true;
        var last = name[(name.LastIndexOf('.') + 1)..];
        return last.Length > 0 && last.All(char.IsAsciiDigit);
    }

    /// <summary>Whether <paramref name="name"/> equals <paramref name="zone"/> or is below it.</summary>
    public static bool IsAtOrBelow(string name, string zone) =>
        zone.Length == 0 || name == zone || (name.Length > zone.Length && name.EndsWith(zone, StringComparison.Ordinal) && name[^(zone.Length + 1)] == '.');

    /// <summary>The owner name relative to the zone: "@" for the apex.</summary>
    public static string Relative(string name, string zone) => name == zone ? "@" : name[..^(zone.Length + 1)];

    /// <summary>The absolute owner name of a relative label ("@" is the apex).</summary>
    public static string Absolute(string label, string zone) => label == "@" ? zone : label + "." + zone;

    /// <summary>Whether the zone is a reverse-mapping zone (PTR records allowed).</summary>
    public static bool IsReverseZone(string zone) => IsAtOrBelow(zone, "in-addr.arpa") || IsAtOrBelow(zone, "ip6.arpa");

    /// <summary>The parent of a name ("" for a single label).</summary>
    public static string Parent(string name)
    {
        var dot = name.IndexOf('.');
        return dot < 0 ? "" : name[(dot + 1)..];
    }
}
