using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Edgeplane.Testing;

public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): a port the kernel hands out as the source port of an
    // outgoing connection or query (dig, NOTIFY, HTTP clients) would be taken again before the server binds it.
    private const int First = 20000, Last = 32000;
    private static readonly ConcurrentDictionary<int, bool> Given = new();

    /// <summary>A port on 127.0.0.1, free for both TCP and UDP a moment ago, never given twice in this process.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
            if (Given.TryAdd(port, true) && IsFree(port)) return port;
        }
        throw new InvalidOperationException($"no free port between {First} and {Last}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
