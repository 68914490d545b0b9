using System.Net;
using System.Net.Sockets;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Wire;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>A minimal UDP DNS client for NOTIFY and the node health check.</summary>
public static class DnsClient
{
    /// <summary>Sends <paramref name="message"/> and returns the reply with the same id, or null on timeout or error.</summary>
    public static async Task<DnsResponse?> ExchangeAsync(IPEndPoint server, byte[] message, TimeSpan timeout, CancellationToken ct)
    {
        using var udp = new UdpClient(server.AddressFamily);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            udp.Connect(server);
            await udp.SendAsync(message, cts.Token);
            while (true)
            {
                var reply = await udp.ReceiveAsync(cts.Token);
                if (reply.Buffer.Length >= 12 && reply.Buffer[0] == message[0] && reply.Buffer[1] == message[1] && (reply.Buffer[2] & 0x80) != 0)
                    return DnsResponse.Parse(reply.Buffer);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or FormatException)
        {
            if (ct.IsCancellationRequested) throw;
            return null;
        }
    }

    /// <summary>A NOTIFY message for <paramref name="zone"/> (RFC 1996): opcode 4, AA, question zone/SOA.</summary>
    public static byte[] Notify(ushort id, string zone)
    {
        var message = DnsResponse.Query(id, zone, RrType.SOA);
        message[2] = (4 << 3) | 0x04; // opcode NOTIFY, AA
        message[3] = 0;
        return message;
    }
}
