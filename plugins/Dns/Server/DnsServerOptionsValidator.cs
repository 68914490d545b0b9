using Edgeplane.Abstractions.Network;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>Checks the server's settings when the host starts: each bad value is named with its key and the reason.</summary>
public sealed class DnsServerOptionsValidator : IValidateOptions<DnsServerOptions>
{
    public ValidateOptionsResult Validate(string? name, DnsServerOptions options)
    {
        var failures = new SettingFailures();
        foreach (var endpoint in options.Listen) failures.Check(IsEndpoint(endpoint), "Listen", $"'{endpoint}' is not an address:port endpoint");
        foreach (var endpoint in options.Notify) failures.Check(IsEndpoint(endpoint), "Notify", $"'{endpoint}' is not an address:port endpoint");
        foreach (var entry in options.TransferAllowed) failures.Check(SettingFailures.IsAddressOrPrefix(entry), "TransferAllowed", $"'{entry}' is not an IP address or CIDR prefix");
        foreach (var server in options.NameServers)
            failures.Check(DnsNames.Check(server, allowUnderscore: false) is null, "NameServers", $"'{server}' is not a host name: {DnsNames.Check(server, false)}");
        if (options.Hostmaster is { } hostmaster)
            failures.Check(DnsNames.Check(DnsNames.Normalize(hostmaster), allowUnderscore: true) is null, "Hostmaster", $"'{hostmaster}' is not a mailbox in DNS form");
        failures.Range(options.UdpWorkers, 1, 64, "UdpWorkers");
        failures.Range(options.MaxUdpPayload, 512, 4096, "MaxUdpPayload");
        failures.Range(options.MaxTcpConnections, 1, int.MaxValue, "MaxTcpConnections");
        failures.Range(options.MaxTcpConnectionsPerClient, 1, Math.Max(1, options.MaxTcpConnections), "MaxTcpConnectionsPerClient");
        foreach (var (key, ttl) in new[] { ("SoaTtl", options.SoaTtl), ("NsTtl", options.NsTtl), ("Refresh", options.Refresh), ("Retry", options.Retry), ("Expire", options.Expire), ("Minimum", options.Minimum) })
            failures.Range(ttl, 0, int.MaxValue, key);
        failures.Range(options.IxfrJournal, 0, 100_000, "IxfrJournal");
        failures.Range(options.RefreshIntervalMs, 1, int.MaxValue, "RefreshIntervalMs");
        failures.Range(options.ChangeRetentionSeconds, 1, 365 * 86400, "ChangeRetentionSeconds");
        failures.Range(options.SnapshotIntervalMs, 10, 3_600_000, "SnapshotIntervalMs");
        failures.Range(options.NodeMetricsPort, 1, 65535, "NodeMetricsPort");
        return failures.Result;
    }

    private static bool IsEndpoint(string text)
    {
        try
        {
            DnsServerOptions.ParseEndpoint(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
