using System.Text;

namespace Edgeplane.Plugins.Dns.Records;

/// <summary>Names in wire form (RFC 1035 §3.1).</summary>
public static class WireName
{
    public static void Append(List<byte> buffer, string name)
    {
        if (name.Length > 0)
            foreach (var label in name.Split('.'))
            {
                buffer.Add((byte)label.Length);
                foreach (var c in label) buffer.Add((byte)c);
            }
        buffer.Add(0);
    }

    public static byte[] Encode(string name)
    {
        var buffer = new List<byte>(name.Length + 2);
        Append(buffer, name);
        return [.. buffer];
    }

    /// <summary>An uncompressed wire name as the plugin keeps names (labels joined by dots, "" for the root).</summary>
    public static string Decode(ReadOnlySpan<byte> name)
    {
        var text = new StringBuilder(name.Length);
        for (var at = 0; name[at] != 0; at += 1 + name[at])
        {
            if (text.Length > 0) text.Append('.');
            foreach (var b in name.Slice(at + 1, name[at])) text.Append((char)b);
        }
        return text.ToString();
    }

    /// <summary>The octets of the uncompressed wire name at the start of <paramref name="data"/>, its root label included.</summary>
    public static int Length(ReadOnlySpan<byte> data)
    {
        var at = 0;
        while (data[at] != 0) at += 1 + data[at];
        return at + 1;
    }
}
