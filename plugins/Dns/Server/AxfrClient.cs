using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Wire;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>Why a transfer failed (the primary refused, could not be reached, or sent something that is not a zone transfer).</summary>
public sealed class AxfrException(string message, bool tooLarge = false) : Exception(message)
{
    /// <summary>The transfer held more records than the limit.</summary>
    public bool TooLarge { get; } = tooLarge;
}

/// <summary>
/// Transfers a zone from a primary (AXFR over TCP, RFC 5936) and writes what it received as master-file text, one
/// record a line, so that an import from a primary is read and checked exactly as a zone file is.
/// </summary>
public static class AxfrClient
{
    public static async Task<string> TransferAsync(IPEndPoint primary, string zone, int maxRecords, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var tcp = new TcpClient(primary.AddressFamily);
            await tcp.ConnectAsync(primary, cts.Token);
            var stream = tcp.GetStream();
            var id = (ushort)Random.Shared.Next(1, 65536);
            var query = DnsResponse.Query(id, zone, RrType.AXFR);
            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await stream.WriteAsync(framed, cts.Token);

            var text = new StringBuilder();
            var records = 0;
            var soas = 0;
            var length = new byte[2];
            while (soas < 2)
            {
                await stream.ReadExactlyAsync(length, cts.Token);
                var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(message, cts.Token);
                if (message.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(message) != id || (message[2] & 0x80) == 0) throw new AxfrException("the primary answered another query (wrong message id)");
                if ((message[3] & 0xF) is var rcode and not 0)
                    throw new AxfrException($"the primary answered {Rcode(rcode)}: it does not allow this server to transfer {zone}, or does not serve it");
                var answers = Answers(message);
                if (answers.Count == 0) throw new AxfrException("the primary sent an empty transfer message");
                foreach (var rr in answers)
                {
                    if (soas == 0 && (rr.Type != RrType.SOA || rr.Owner != zone + ".")) throw new AxfrException($"the transfer does not start with the SOA of {zone}");
                    if (rr.Type == RrType.SOA && ++soas == 2) break;
                    if (++records > maxRecords + 1) throw new AxfrException($"the zone holds more than {maxRecords} records (MaxImportRecords)", tooLarge: true);
                    text.Append(Line(message, rr)).Append('\n');
                }
            }
            return text.ToString();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AxfrException($"the transfer did not finish within {timeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            throw new AxfrException($"cannot reach the primary: {e.SocketErrorCode}");
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new AxfrException($"the transfer broke off or is malformed: {e.Message}");
        }
    }

    private static string Rcode(int rcode) => rcode switch { 1 => "FORMERR", 2 => "SERVFAIL", 3 => "NXDOMAIN", 4 => "NOTIMP", 5 => "REFUSED", 9 => "NOTAUTH", _ => "rcode " + rcode };

    private sealed record Rr(string Owner, ushort Type, ushort Class, uint Ttl, int Offset, int Length);

    /// <summary>The answer section of one transfer message (names of owners as master-file text).</summary>
    private static List<Rr> Answers(byte[] m)
    {
        int questions = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(4)), answers = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(6));
        var p = 12;
        for (var i = 0; i < questions; i++)
        {
            Name(m, ref p);
            p += 4;
        }
        var list = new List<Rr>(answers);
        for (var i = 0; i < answers; i++)
        {
            var owner = Name(m, ref p);
            if (p + 10 > m.Length) throw new FormatException("short record");
            var length = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(p + 8));
            if (p + 10 + length > m.Length) throw new FormatException("RDATA overruns the message");
            list.Add(new Rr(owner, BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(p)), BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(p + 2)),
                BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(p + 4)), p + 10, length));
            p += 10 + length;
        }
        return list;
    }

    /// <summary>One RR as a master-file line: <c>owner. ttl CLASS TYPE rdata</c> (unknown types in RFC 3597 form, which the reader refuses by name).</summary>
    private static string Line(byte[] m, Rr rr)
    {
        var p = rr.Offset;
        var data = m.AsSpan(rr.Offset, rr.Length).ToArray();
        var cls = rr.Class == 1 ? "IN" : "CLASS" + rr.Class.ToString(CultureInfo.InvariantCulture);
        var rdata = rr.Type switch
        {
            RrType.A or RrType.AAAA when data.Length is 4 or 16 => new IPAddress(data).ToString(),
            RrType.NS or RrType.CNAME or RrType.PTR => Name(m, ref p),
            RrType.MX when data.Length > 2 => $"{U16(m, ref p)} {Name(m, ref p)}",
            RrType.SRV when data.Length > 6 => $"{U16(m, ref p)} {U16(m, ref p)} {U16(m, ref p)} {Name(m, ref p)}",
            RrType.SOA when data.Length > 20 => $"{Name(m, ref p)} {Name(m, ref p)} {string.Join(' ', m.AsSpan(rr.Offset + rr.Length - 20, 20).ToArray().Chunk(4).Select(n => BinaryPrimitives.ReadUInt32BigEndian(n)))}",
            RrType.TXT => Strings(data),
            RrType.CAA when data.Length > 2 && 2 + data[1] <= data.Length =>
                $"{data[0]} {Encoding.ASCII.GetString(data, 2, data[1])} {ZoneText.Quote(data[(2 + data[1])..])}",
            _ => $"\\# {data.Length} {Convert.ToHexString(data)}",
        };
        return $"{rr.Owner} {rr.Ttl} {cls} {RrType.Name(rr.Type)} {rdata}";
    }

    private static ushort U16(byte[] m, ref int p)
    {
        var value = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(p));
        p += 2;
        return value;
    }

    /// <summary>A name in RDATA (compression followed), absolute; a label with characters a host name cannot hold is escaped, which the reader refuses.</summary>
    private static string Name(byte[] m, ref int p)
    {
        var labels = new List<byte[]>();
        if (!DnsQuery.ReadName(m, ref p, labels)) throw new FormatException("bad name in RDATA");
        return labels.Count == 0 ? "." : string.Concat(labels.Select(l => Label(l) + "."));
    }

    private static string Label(byte[] label)
    {
        var sb = new StringBuilder(label.Length);
        foreach (var b in label)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'*') sb.Append(char.ToLowerInvariant((char)b));
            else sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static string Strings(byte[] rdata)
    {
        var parts = new List<string>();
        for (var i = 0; i < rdata.Length; i += 1 + rdata[i])
        {
            if (i + 1 + rdata[i] > rdata.Length) throw new FormatException("TXT string overruns its RDATA");
            parts.Add(ZoneText.Quote(rdata[(i + 1)..(i + 1 + rdata[i])]));
        }
        return string.Join(' ', parts);
    }
}
