using System.Net.Sockets;
using System.Text;
using Edgeplane.Abstractions.Network;
using Edgeplane.Plugins.Dns.Records;

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
    public static DnsRecord? Validate(string zone, RecordInput input, IDictionary<string, List<string>> errors) =>
        new Check(zone, input, errors).Record();

    /// <summary>One record's checks, each adding its errors under the request's field name.</summary>
    private sealed class Check(string zone, RecordInput input, IDictionary<string, List<string>> errors)
    {
        public DnsRecord? Record()
        {
            var type = Type();
            var ttl = input.Ttl ?? DefaultTtl;
            if (ttl < MinTtl || ttl > input.MaxTtl) Error("ttl", $"must be between {MinTtl} and {input.MaxTtl} seconds");
            var name = OwnerName();
            if (errors.Count > 0 || type is null || name is null) return null;

            var value = input.Value?.Trim();
            if (type != "TXT" && string.IsNullOrEmpty(value))
            {
                Error("value", "is required");
                return null;
            }
            var record = Data(new DnsRecord { Index = 0, Name = name, Type = type, Ttl = ttl, Value = value ?? "" });
            return errors.Count > 0 ? null : record;
        }

        private string? Type()
        {
            var type = input.Type?.Trim().ToUpperInvariant();
            if (string.IsNullOrEmpty(type)) Error("type", "is required");
            else if (type == "SOA") Error("type", "SOA is managed by the zone; it cannot be added");
            else if (!RrType.UserTypes.Contains(type)) Error("type", $"must be one of {string.Join(", ", RrType.UserTypes)}");
            return type;
        }

        /// <summary>
        /// "@" or empty is the apex; a name ending with a dot, or equal to / ending with the zone, is absolute and must be
        /// inside the zone; anything else is relative to the zone. The name relative to the zone, or null.
        /// </summary>
        private string? OwnerName()
        {
            var label = input.Label?.Trim() ?? "@";
            if (label is "" or "@") return "@";
            var absolute = label.EndsWith('.');
            var n = DnsNames.Normalize(label);
            if (!absolute && n != zone && !n.EndsWith("." + zone, StringComparison.Ordinal)) n = n + "." + zone;
            if (n.StartsWith("*.", StringComparison.Ordinal) || n == "*") Error("label", "wildcard names are not supported");
            else if (DnsNames.Check(n, allowUnderscore: true) is { } problem) Error("label", problem);
            else if (!DnsNames.IsAtOrBelow(n, zone)) Error("label", $"must be inside the zone {zone}");
            else return DnsNames.Relative(n, zone);
            return null;
        }

        /// <summary>The type's data checked and in stored form.</summary>
        private DnsRecord Data(DnsRecord record) => record.Type switch
        {
            "A" => IpText.TryParseIPv4(record.Value, out var v4) ? record with { Value = v4.ToString() }
                : Refuse(record, "value", "must be an IPv4 address in canonical dotted decimal (192.0.2.1)"),
            "AAAA" => IpText.TryParseAddress(record.Value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? record with { Value = v6.ToString() }
                : Refuse(record, "value", "must be an IPv6 address"),
            "CNAME" => Named(record, record.Name == "@" ? "a CNAME cannot be at the zone apex (it holds SOA and NS)" : null, allowUnderscore: true),
            "NS" => Named(record, record.Name == "@" ? "the apex NS records are managed by the zone; add NS records below the apex to delegate" : null,
                allowUnderscore: false),
            "PTR" => Ptr(record),
            "MX" => Mx(record),
            "SRV" => Srv(record),
            "TXT" => Txt(record),
            "CAA" => Caa(record),
            _ => record,
        };

        private DnsRecord Named(DnsRecord record, string? labelProblem, bool allowUnderscore)
        {
            if (labelProblem is not null) Error("label", labelProblem);
            return Target("value", record.Value, allowUnderscore) is { } target ? record with { Value = target } : record;
        }

        private DnsRecord Ptr(DnsRecord record)
        {
            if (!DnsNames.IsReverseZone(zone)) Error("type", "PTR records are only allowed in reverse zones (in-addr.arpa, ip6.arpa)");
            return Named(record, null, allowUnderscore: true);
        }

        private DnsRecord Mx(DnsRecord record)
        {
            var priority = Range("priority", input.Priority, 0, 65535);
            var exchange = Target("value", record.Value, allowUnderscore: false, allowRoot: true);
            return priority is not null && exchange is not null ? record with { Priority = priority, Value = exchange } : record;
        }

        private DnsRecord Srv(DnsRecord record)
        {
            var priority = Range("priority", input.Priority, 0, 65535);
            var weight = Range("weight", input.Weight, 0, 65535);
            var port = Range("port", input.Port, 0, 65535);
            var target = Target("value", record.Value, allowUnderscore: false, allowRoot: true);
            if (!record.Name.StartsWith('_') || !record.Name.Contains("._", StringComparison.Ordinal))
                Error("label", "an SRV owner name must be _service._proto[.name] (RFC 2782)");
            return priority is not null && weight is not null && port is not null && target is not null
                ? record with { Priority = priority, Weight = weight, Port = port, Value = target } : record;
        }

        /// <summary>TXT keeps the value as sent (untrimmed).</summary>
        private DnsRecord Txt(DnsRecord record)
        {
            var raw = input.Value ?? "";
            if (raw.Length == 0) Error("value", "is required");
            else if (Encoding.UTF8.GetByteCount(raw) > ZoneText.MaxTxtOctets) Error("value", $"must be at most {ZoneText.MaxTxtOctets} octets");
            else if (raw.Any(c => c < 0x20 || c == 0x7f)) Error("value", "must not contain control characters");
            else return record with { Value = raw };
            return record;
        }

        private DnsRecord Caa(DnsRecord record)
        {
            var flags = Range("flags", input.Flags ?? 0, 0, 255);
            var tag = input.Tag?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(tag)) Error("tag", "is required (issue, issuewild or iodef)");
            else if (tag.Length > 15 || !tag.All(char.IsAsciiLetterOrDigit)) Error("tag", "must be 1-15 letters or digits");
            if (Encoding.UTF8.GetByteCount(record.Value) > 255) Error("value", "must be at most 255 octets");
            else if (record.Value.Any(c => c < 0x20 || c == 0x7f)) Error("value", "must not contain control characters");
            return flags is not null && !string.IsNullOrEmpty(tag) ? record with { Flags = flags, Tag = tag } : record;
        }

        private string? Target(string field, string raw, bool allowUnderscore, bool allowRoot = false)
        {
            if (allowRoot && raw == ".") return "";
            var n = DnsNames.Normalize(raw);
            if (DnsNames.IsAddressLike(n))
            {
                Error(field, "must be a host name, not an IP address (point it at a name with an A or AAAA record)");
                return null;
            }
            if (DnsNames.Check(n, allowUnderscore) is { } problem)
            {
                Error(field, problem);
                return null;
            }
            return n;
        }

        private int? Range(string field, int? value, int min, int max)
        {
            if (value is null)
            {
                Error(field, "is required");
                return null;
            }
            if (value >= min && value <= max) return value;
            Error(field, $"must be between {min} and {max}");
            return null;
        }

        private DnsRecord Refuse(DnsRecord record, string field, string message)
        {
            Error(field, message);
            return record;
        }

        private void Error(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }
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
