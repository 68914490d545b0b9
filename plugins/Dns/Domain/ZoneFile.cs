using System.Globalization;
using System.Text;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Domain;

/// <summary>Writes a zone as an RFC 1035 §5 master file.</summary>
public static class ZoneFile
{
    public static string Export(string zone, SoaData soa, IReadOnlyList<string> nameServers, int nsTtl, IEnumerable<DnsRecord> records)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"; {zone} exported by Edgeplane, serial {soa.Serial}\n");
        sb.Append(inv, $"$ORIGIN {zone}.\n");
        sb.Append(inv, $"$TTL {soa.Ttl}\n");
        sb.Append(inv, $"@\t{soa.Ttl}\tIN\tSOA\t{soa.Presentation()}\n");
        foreach (var ns in nameServers) sb.Append(inv, $"@\t{nsTtl}\tIN\tNS\t{ns}.\n");
        foreach (var r in records.OrderBy(r => r.Index))
            sb.Append(inv, $"{r.Name}\t{r.Ttl}\tIN\t{r.Type}\t{r.Presentation()}\n");
        return sb.ToString();
    }
}
