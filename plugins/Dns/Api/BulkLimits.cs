using System.Net;
using Edgeplane.Abstractions.Network;
using Microsoft.Extensions.Configuration;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>
/// Limits of the bulk routes (section <c>Edgeplane:Plugins:dns</c>): changes per bulk request, records per import,
/// and the primaries a zone may be imported from by AXFR. The body of any request is also bounded by the host's
/// <c>Edgeplane:MaxRequestBodyBytes</c> (413 beyond it). Checked when the host starts (<see cref="BulkLimitsValidator"/>).
/// </summary>
public sealed class BulkLimits
{
    /// <summary>Changes in one <c>/zone/[ZONE]/bulk</c> request.</summary>
    public int MaxBulkChanges { get; set; } = 10_000;

    /// <summary>Records in one import (a zone file or an AXFR).</summary>
    public int MaxImportRecords { get; set; } = 100_000;

    /// <summary>Addresses or CIDR prefixes of primaries a zone may be transferred from (AXFR import); empty: AXFR import is off.</summary>
    public List<string> ImportPrimaries { get; set; } = [];

    /// <summary>How long one AXFR import may take, connection included.</summary>
    public int ImportTimeoutSeconds { get; set; } = 60;

    /// <summary>Binds the section into <paramref name="limits"/>; <c>ImportPrimaries</c> may also be one value separated by ';' or ','.</summary>
    public static void Read(IConfiguration configuration, BulkLimits limits)
    {
        configuration.Bind(limits);
        if (configuration["ImportPrimaries"] is { } single)
            limits.ImportPrimaries = single.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    public bool MayImportFrom(IPAddress primary)
    {
        if (primary.IsIPv4MappedToIPv6) primary = primary.MapToIPv4();
        foreach (var entry in ImportPrimaries)
        {
            if (IpText.TryParseNetwork(entry, out IPNetwork network) && network.Contains(primary)) return true;
            if (IpText.TryParseAddress(entry, out var address) && address.Equals(primary)) return true;
        }
        return false;
    }
}
