using System.Net;
using Edgeplane.Abstractions.Network;
using Edgeplane.Plugins.Dns.Records;
using Microsoft.Extensions.Configuration;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// The DNS server's settings (section <c>Edgeplane:Plugins:dns</c>), bound as <c>IOptions</c> and checked when the host starts
/// (<see cref="DnsServerOptionsValidator"/>): a bad value fails the plugin, naming its key, instead of falling back to a default.
/// </summary>
public sealed class DnsServerOptions
{
    /// <summary>Whether the authoritative server listens at all.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>UDP and TCP listen endpoints (<c>address:port</c>), e.g. <c>127.0.0.1:1053</c> or <c>[::1]:53</c>.</summary>
    public List<string> Listen { get; set; } = [];
    /// <summary>Threads answering UDP per endpoint, 1-64 (default: one per processor).</summary>
    public int UdpWorkers { get; set; } = Math.Min(Environment.ProcessorCount, 64);
    /// <summary>The largest UDP response the server sends to an EDNS client (the client's own limit applies when lower).</summary>
    public int MaxUdpPayload { get; set; } = 1232;
    /// <summary>Open TCP connections one client (an IPv4 address, an IPv6 /64) may hold; more are closed at once.</summary>
    public int MaxTcpConnectionsPerClient { get; set; } = 16;
    /// <summary>Open TCP connections in all, applied after the per-client limit.</summary>
    public int MaxTcpConnections { get; set; } = 256;
    /// <summary>Addresses or CIDR prefixes allowed to transfer zones (AXFR/IXFR); empty: nobody.</summary>
    public List<string> TransferAllowed { get; set; } = [];
    /// <summary>Secondaries to send NOTIFY to after a zone changes (<c>address:port</c>).</summary>
    public List<string> Notify { get; set; } = [];
    /// <summary>The apex NS names given to every zone (absolute names).</summary>
    public List<string> NameServers { get; set; } = [];
    /// <summary>The SOA RNAME (mailbox, in DNS form); by default <c>hostmaster.&lt;zone&gt;</c>.</summary>
    public string? Hostmaster { get; set; }
    public int SoaTtl { get; set; } = 3600;
    public int NsTtl { get; set; } = 86400;
    public int Refresh { get; set; } = 3600;
    public int Retry { get; set; } = 600;
    public int Expire { get; set; } = 1209600;
    public int Minimum { get; set; } = 300;
    /// <summary>Whether the UDP loop keeps complete answers of repeated questions (an extra: the common questions are answered without allocating anyway).</summary>
    public bool AnswerCache { get; set; } = true;
    /// <summary>Whether positive answers carry the zone's NS set in the authority section (and its in-zone addresses), as NSD and BIND do by default.</summary>
    public bool NsInAuthority { get; set; } = true;
    /// <summary>Changes kept in memory per zone for IXFR; a secondary further behind gets the whole zone.</summary>
    public int IxfrJournal { get; set; } = 200;
    /// <summary>How often the in-memory view reads the change feed for changes made by other host instances (ms); on PostgreSQL a notification wakes it sooner.</summary>
    public int RefreshIntervalMs { get; set; } = 250;
    /// <summary>How long the change feed's rows are kept (s); a host away longer loads every zone when it is back.</summary>
    public int ChangeRetentionSeconds { get; set; } = 86400;
    /// <summary>Where the served view is persisted for a fast restart; default <c>snapshot</c> in the plugin's data directory (<c>{Edgeplane:DataDirectory}/dns</c>).</summary>
    public string? SnapshotDirectory { get; set; }
    /// <summary>How often the zones changed since the last write are persisted (ms).</summary>
    public int SnapshotIntervalMs { get; set; } = 1000;
    /// <summary>Where <c>/debug/update_collector_monitoring</c> writes the Prometheus file_sd JSON; default <c>prometheus-nodes.json</c> in the plugin's data directory (<c>{Edgeplane:DataDirectory}/dns</c>).</summary>
    public string? PrometheusSdFile { get; set; }
    /// <summary>Node port Prometheus scrapes, for the file_sd targets.</summary>
    public int NodeMetricsPort { get; set; } = 9100;
    /// <summary>The Public Suffix List file; a zone that is a public suffix (<c>co.uk</c>) is refused.</summary>
    public string PublicSuffixList { get; set; } = Domain.PublicSuffixFile.DebianPath;

    public const string DefaultListen = "127.0.0.1:1053";

    /// <summary>
    /// Binds the section into <paramref name="options"/>; lists may also be given as one value separated by ';' or ','
    /// (environment variables). Out-of-range values are left for <see cref="DnsServerOptionsValidator"/> to name.
    /// </summary>
    public static void Read(IConfiguration configuration, DnsServerOptions options)
    {
        configuration.Bind(options);
        options.Listen = Split(options.Listen, configuration["Listen"]);
        options.TransferAllowed = Split(options.TransferAllowed, configuration["TransferAllowed"]);
        options.Notify = Split(options.Notify, configuration["Notify"]);
        options.NameServers = Split(options.NameServers, configuration["NameServers"]).Select(DnsNames.Normalize).ToList();
        if (options.Listen.Count == 0) options.Listen = [DefaultListen];
        if (options.NameServers.Count == 0) options.NameServers = ["ns1.edgeplane.invalid", "ns2.edgeplane.invalid"];
    }

    private static List<string> Split(List<string> bound, string? single) =>
        (single is not null ? single.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() : bound)
            .Where(s => s.Length > 0).Distinct().ToList();

    public static IPEndPoint ParseEndpoint(string value)
    {
        if (IPEndPoint.TryParse(value, out var endpoint) && endpoint.Port != 0
            && IpText.TryParseAddress(value[..value.LastIndexOf(':')].Trim('[', ']'), out _)) return endpoint;
        throw new FormatException($"'{value}' is not an address:port endpoint");
    }

    public bool MayTransfer(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var entry in TransferAllowed)
        {
            if (IpText.TryParseNetwork(entry, out IPNetwork network) && network.Contains(client)) return true;
            if (IpText.TryParseAddress(entry, out var address) && address.Equals(client)) return true;
        }
        return false;
    }
}
