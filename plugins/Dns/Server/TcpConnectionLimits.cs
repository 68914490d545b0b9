using System.Net;
using System.Net.Sockets;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// Open TCP connections per client and in all (RFC 7766 §6.2.2): a connection is refused when its
/// client (an IPv4 address, or an IPv6 /64: one host's usual share) already holds its limit, then when
/// the server holds its global cap. So one client holding idle connections cannot deny TCP to others.
/// </summary>
public sealed class TcpConnectionLimits(int perClient, int total)
{
    private readonly Dictionary<IPAddress, int> _open = [];
    private int _total;

    public bool TryOpen(IPAddress client)
    {
        var key = Client(client);
        lock (_open)
        {
            _open.TryGetValue(key, out var held);
            if (held >= perClient || _total >= total) return false;
            _open[key] = held + 1;
            _total++;
            return true;
        }
    }

    public void Close(IPAddress client)
    {
        var key = Client(client);
        lock (_open)
        {
            if (_open[key] == 1) _open.Remove(key);
            else _open[key]--;
            _total--;
        }
    }

    private static IPAddress Client(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}
