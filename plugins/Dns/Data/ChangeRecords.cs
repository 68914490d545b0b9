using System.Text.Json;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>What a row of the change feed (<c>dns_changes.kind</c>) says happened to its zone.</summary>
public static class ChangeKind
{
    /// <summary>The zone was created: its history starts here.</summary>
    public const string Zone = "zone";
    /// <summary>Records were removed and/or added, moving the serial from <c>old_serial</c> to <c>serial</c>.</summary>
    public const string Records = "records";
    /// <summary>The zone was deleted.</summary>
    public const string Deleted = "deleted";
}

/// <summary>The records a change removed or added, stored as a JSON list in the feed.</summary>
public static class ChangeRecords
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Write(IReadOnlyList<DnsRecord> records) => JsonSerializer.Serialize(records, Json);

    public static List<DnsRecord> Read(string json) => JsonSerializer.Deserialize<List<DnsRecord>>(json, Json) ?? [];
}
