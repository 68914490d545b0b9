using System.Net;
using System.Text;

namespace Edgeplane.Plugins.Waf.Tests.Engine;

/// <summary>
/// Writes a small MaxMind DB (the documented .mmdb format, version 2.0): an IPv4 binary search tree with
/// 24-bit records, a data section of <c>{country: {iso_code}}</c> maps and the metadata map, so that tests
/// read a real file in the format operators download (GeoLite2-Country and the like).
/// </summary>
public sealed class MmdbWriter
{
    private readonly List<(uint Network, int PrefixLength, string Country)> _networks = [];

    public MmdbWriter Add(string cidr, string country)
    {
        var parts = cidr.Split('/');
        var bytes = IPAddress.Parse(parts[0]).GetAddressBytes();
        _networks.Add(((uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]), int.Parse(parts[1]), country));
        return this;
    }

    public void Write(string path) => File.WriteAllBytes(path, Build());

    public byte[] Build()
    {
        // the data section: one record per country
        var data = new MemoryStream();
        var offsets = new Dictionary<string, int>();
        foreach (var country in _networks.Select(n => n.Country).Distinct())
        {
            offsets[country] = (int)data.Length;
            WriteMap(data, new() { ["country"] = new Dictionary<string, object> { ["iso_code"] = country } });
        }

        // the tree: node i has two records (bit 0, bit 1); a record is a node index, "empty", or a data pointer
        const int Empty = -1;
        var nodes = new List<int[]> { new[] { Empty, Empty } };
        var dataOf = new Dictionary<(int Node, int Bit), string>();
        foreach (var (network, prefix, country) in _networks)
        {
            var node = 0;
            for (var depth = 0; depth < prefix; depth++)
            {
                var bit = (int)(network >> (31 - depth)) & 1;
                if (depth == prefix - 1)
                {
                    dataOf[(node, bit)] = country;
                    break;
                }
                if (nodes[node][bit] == Empty)
                {
                    nodes.Add([Empty, Empty]);
                    nodes[node][bit] = nodes.Count - 1;
                }
                node = nodes[node][bit];
            }
        }
        var nodeCount = nodes.Count;
        var file = new MemoryStream();
        for (var i = 0; i < nodeCount; i++)
        {
            for (var bit = 0; bit < 2; bit++)
            {
                var record = dataOf.TryGetValue((i, bit), out var country) ? nodeCount + 16 + offsets[country]
                    : nodes[i][bit] == Empty ? nodeCount : nodes[i][bit];
                file.WriteByte((byte)(record >> 16));
                file.WriteByte((byte)(record >> 8));
                file.WriteByte((byte)record);
            }
        }
        file.Write(new byte[16]); // the data section separator
        data.Position = 0;
        data.CopyTo(file);
        file.Write([0xAB, 0xCD, 0xEF, .. "MaxMind.com"u8]);
        WriteMap(file, new()
        {
            ["binary_format_major_version"] = (ushort)2,
            ["binary_format_minor_version"] = (ushort)0,
            ["build_epoch"] = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["database_type"] = "Edgeplane-Test-Country",
            ["description"] = new Dictionary<string, object> { ["en"] = "test ranges on 127.0.0.0/8" },
            ["ip_version"] = (ushort)4,
            ["languages"] = new object[] { "en" },
            ["node_count"] = (uint)nodeCount,
            ["record_size"] = (ushort)24,
        });
        return file.ToArray();
    }

    private static void WriteMap(Stream s, Dictionary<string, object> map)
    {
        WriteControl(s, 7, map.Count);
        foreach (var (key, value) in map)
        {
            WriteValue(s, key);
            WriteValue(s, value);
        }
    }

    private static void WriteValue(Stream s, object value)
    {
        switch (value)
        {
            case string text:
                var bytes = Encoding.UTF8.GetBytes(text);
                WriteControl(s, 2, bytes.Length);
                s.Write(bytes);
                break;
            case ushort n: WriteUnsigned(s, 5, n); break;
            case uint n: WriteUnsigned(s, 6, n); break;
            case ulong n: WriteUnsigned(s, 9, n); break;
            case Dictionary<string, object> map: WriteMap(s, map); break;
            case object[] array:
                WriteControl(s, 11, array.Length);
                foreach (var item in array) WriteValue(s, item);
                break;
            default: throw new ArgumentException($"cannot write {value.GetType()}");
        }
    }

    /// <summary>Big-endian, without leading zero bytes.</summary>
    private static void WriteUnsigned(Stream s, int type, ulong value)
    {
        var bytes = new List<byte>();
        for (var v = value; v > 0; v >>= 8) bytes.Insert(0, (byte)v);
        WriteControl(s, type, bytes.Count);
        s.Write(bytes.ToArray());
    }

    /// <summary>The control byte: type in the top three bits (0 and a second byte for the extended types), size in the low five.</summary>
    private static void WriteControl(Stream s, int type, int size)
    {
        var extended = type > 7;
        var first = (extended ? 0 : type << 5) | (size < 29 ? size : size < 285 ? 29 : 30);
        s.WriteByte((byte)first);
        if (extended) s.WriteByte((byte)(type - 7));
        if (size >= 285) { s.WriteByte((byte)((size - 285) >> 8)); s.WriteByte((byte)(size - 285)); }
        else if (size >= 29) s.WriteByte((byte)(size - 29));
    }
}
