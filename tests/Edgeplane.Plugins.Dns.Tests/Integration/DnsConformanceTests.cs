using System.Net;
using Edgeplane.Testing;
using Edgeplane.Testing.Conformance;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>The DNS plugin alone, its DNS server on a free port of 127.0.0.1; sign-up allowed (the seed's routes need it).</summary>
public sealed class DnsConformanceHost : ConformanceHost
{
    public override string PluginFolder => Path.Combine(HostProcess.DefaultPluginDirectory, "Edgeplane.Plugins.Dns");

    public override Dictionary<string, string?> Settings() => new()
    {
        ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{FreePort.Next()}",
        ["Edgeplane__Identity__AllowSignup"] = "true",
    };
}

/// <summary>The conformance kit on the DNS plugin.</summary>
public sealed class DnsConformanceTests(DnsConformanceHost host) : PluginConformance<DnsConformanceHost>(host)
{
    protected override IReadOnlyDictionary<string, RouteAccess> Listed { get; } = new Dictionary<string, RouteAccess>
    {
        ["POST /dns/api/auth/signup"] = new(Access.Anonymous, Reason: "the seed's account sign-up (the host's operator allows sign-up)"),
        ["POST /dns/api/auth/login"] = new(Access.Anonymous, Reason: "the seed's login; rate limited per source address"),
        ["GET /dns/api/admin"] = new(Access.AnyCredential, Reason: "tells the caller whether it is a host admin"),
    };

    protected override async Task<Func<ApiOperation, string, string?>> CreateTeamObjectsAsync(HttpClient teamAdmin, string teamId)
    {
        var zone = $"m{Guid.NewGuid():N}"[..12] + ".example.com";
        await teamAdmin.PostJsonAsync("/dns/api/zones/add", new { zone }, HttpStatusCode.Created);
        return (_, parameter) => parameter == "zone" ? zone : null;
    }

    protected override Task<IReadOnlyCollection<string>> CreateTeamDataAsync(TeamAdmin team) => DnsTeamData.CreateAsync(team);
}
