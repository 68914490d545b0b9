using System.Net;
using System.Net.Sockets;
using System.Text;
using Edgeplane.Abstractions.Network;

namespace Edgeplane.Plugins.Dns.Domain;

/// <summary>A record as a client submits it to <c>/zone/[ZONE]/add</c> (seed fields plus the type's options).</summary>
public sealed record RecordInput(string? Label, string? Type, int? Ttl, string? Value, int? Priority = null, int? Weight = null, int? Port = null, int? Flags = null, string? Tag = null)
{
    /// <summary>The largest TTL accepted: <see cref="RecordValidator.MaxTtl"/>, or RFC 2181's 2^31-1 that PacketFrame allowed (the seed profile).</summary>
    public int MaxTtl { get; init; } = RecordValidator.MaxTtl;
}

/// <summary>Field-level validation of records; errors are keyed by the request's field names.</summary>
public static class RecordValidator
{
    public const int MinTtl = 1;
    public const int MaxTtl = 604800;
    public const int DefaultTtl = 3600;

    /// <summary>Validates <paramref name="input"/> for <paramref name="zone"/>; the record (with index 0) or errors.</summary>
    public static DnsRecord? Validate(string zone, RecordInput input, IDictionary<string, List<string>> errors)
    {
        void Err(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }

        var type = input.Type?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(type)) Err("type", "is required");
        else if (type == "SOA") Err("type", "SOA is managed by the zone; it cannot be added");
        else if (!RrType.UserTypes.Contains(type)) Err("type", $"must be one of {string.Join(", ", RrType.UserTypes)}");

        var ttl = input.Ttl ?? DefaultTtl;
        if (ttl < MinTtl || ttl > input.MaxTtl) Err("ttl", $"must be between {MinTtl} and {input.MaxTtl} seconds");

        // Owner name: "@" or empty is the apex; a name ending with a dot, or equal to / ending with the
        // zone, is absolute and must be inside the zone; anything else is relative to the zone.
        string? name = null;
        var label = input.Label?.Trim() ?? "@";
        if (label is "" or "@") name = "@";
        else
        {
            var absolute = label.EndsWith('.');
            var n = DnsNames.Normalize(label);
            if (!absolute && n != zone && !n.EndsWith("." + zone, StringComparison.Ordinal)) n = n + "." + zone;
            if (n.StartsWith("*.", StringComparison.Ordinal) || n == "*") Err("label", "wildcard names are not supported");
            else if (DnsNames.Check(n, allowUnderscore: true) is { } problem) Err("label", problem);
            else if (!DnsNames.IsAtOrBelow(n, zone)) Err("label", $"must be inside the zone {zone}");
            else name = DnsNames.Relative(n, zone);
        }

        if (errors.Count > 0 || type is null || name is null) return null;

        var value = input.Value?.Trim();
        if (type != "TXT" && string.IsNullOrEmpty(value)) { Err("value", "is required"); return null; }
        value ??= "";

        string? Target(string field, string raw, bool allowUnderscore, bool allowRoot = false)
        {
            if (allowRoot && raw == ".") return "";
            var n = DnsNames.Normalize(raw);
            if (DnsNames.IsAddressLike(n)) { Err(field, "must be a host name, not an IP address (point it at a name with an A or AAAA record)"); return null; }
            if (DnsNames.Check(n, allowUnderscore) is { } p) { Err(field, p); return null; }
            return n;
        }

        int? Range(string field, int? v, int min, int max, bool required = true)
        {
            if (v is null) { if (required) Err(field, "is required"); return null; }
            if (v < min || v > max) { Err(field, $"must be between {min} and {max}"); return null; }
            return v;
        }

        var record = new DnsRecord { Index = 0, Name = name, Type = type, Ttl = ttl, Value = value };
        switch (type)
        {
            case "A":
                if (!IpText.TryParseIPv4(value, out var v4))
                    Err("value", "must be an IPv4 address in canonical dotted decimal (192.0.2.1)");
                else record = record with { Value = v4.ToString() };
                break;
            case "AAAA":
                if (!IpText.TryParseAddress(value, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                    Err("value", "must be an IPv6 address");
                else record = record with { Value = v6.ToString() };
                break;
            case "CNAME":
                if (name == "@") Err("label", "a CNAME cannot be at the zone apex (it holds SOA and NS)");
                if (Target("value", value, allowUnderscore: true) is { } cname) record = record with { Value = cname };
                break;
            case "NS":
                if (name == "@") Err("label", "the apex NS records are managed by the zone; add NS records below the apex to delegate");
                if (Target("value", value, allowUnderscore: false) is { } ns) record = record with { Value = ns };
                break;
            case "PTR":
                if (!DnsNames.IsReverseZone(zone)) Err("type", "PTR records are only allowed in reverse zones (in-addr.arpa, ip6.arpa)");
                if (Target("value", value, allowUnderscore: true) is { } ptr) record = record with { Value = ptr };
                break;
            case "MX":
                var mxPriority = Range("priority", input.Priority, 0, 65535);
                var exchange = Target("value", value, allowUnderscore: false, allowRoot: true);
                if (mxPriority is not null && exchange is not null) record = record with { Priority = mxPriority, Value = exchange };
                break;
            case "SRV":
                var priority = Range("priority", input.Priority, 0, 65535);
                var weight = Range("weight", input.Weight, 0, 65535);
                var port = Range("port", input.Port, 0, 65535);
                var target = Target("value", value, allowUnderscore: false, allowRoot: true);
                if (!name.StartsWith('_') || !name.Contains("._", StringComparison.Ordinal))
                    Err("label", "an SRV owner name must be _service._proto[.name] (RFC 2782)");
                if (priority is not null && weight is not null && port is not null && target is not null)
                    record = record with { Priority = priority, Weight = weight, Port = port, Value = target };
                break;
            case "TXT":
                var raw = input.Value ?? "";
                if (raw.Length == 0) Err("value", "is required");
                else if (Encoding.UTF8.GetByteCount(raw) > ZoneText.MaxTxtOctets) Err("value", $"must be at most {ZoneText.MaxTxtOctets} octets");
                else if (raw.Any(c => c < 0x20 || c == 0x7f)) Err("value", "must not contain control characters");
                else record = record with { Value = raw };
                break;
            case "CAA":
                var flags = Range("flags", input.Flags ?? 0, 0, 255);
                var tag = input.Tag?.Trim().ToLowerInvariant();
                if (string.IsNullOrEmpty(tag)) Err("tag", "is required (issue, issuewild or iodef)");
                else if (tag.Length > 15 || !tag.All(char.IsAsciiLetterOrDigit)) Err("tag", "must be 1-15 letters or digits");
                if (Encoding.UTF8.GetByteCount(value) > 255) Err("value", "must be at most 255 octets");
                else if (value.Any(c => c < 0x20 || c == 0x7f)) Err("value", "must not contain control characters");
                if (flags is not null && !string.IsNullOrEmpty(tag)) record = record with { Flags = flags, Tag = tag };
                break;
        }
        return errors.Count > 0 ? null : record;
    }

    /// <summary>Checks <paramref name="candidate"/> against the zone's existing records: duplicates and CNAME exclusivity (RFC 1034 §3.6.2).</summary>
    public static void CheckConflicts(IEnumerable<DnsRecord> existing, DnsRecord candidate, IDictionary<string, List<string>> errors, out bool duplicate)
    {
        duplicate = false;
        var same = existing.Where(r => r.Name == candidate.Name).ToList();
        if (same.Any(r => r.DataKey == candidate.DataKey)) { duplicate = true; return; }
        string? message = null;
        if (candidate.Type == "CNAME" && same.Count > 0)
            message = same.Any(r => r.Type == "CNAME") ? "the name already has a CNAME" : "a CNAME cannot coexist with other records at the same name";
        else if (candidate.Type != "CNAME" && same.Any(r => r.Type == "CNAME"))
            message = "the name has a CNAME; no other record can be added at it";
        if (message is null) return;
        if (!errors.TryGetValue("label", out var list)) errors["label"] = list = [];
        list.Add(message);
    }
}
