using System.Net;
using Edgeplane.Plugins.Waf.Matching;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.SecLang.Operators;

/// <summary><c>@ipMatch</c> / <c>@ipMatchFromFile</c>: the value is an address inside one of the listed addresses or CIDR ranges.</summary>
public sealed class IpMatchOperator : SecOperator
{
    private readonly IpNetwork[] _networks;

    private IpMatchOperator(string name, string parameter, IpNetwork[] networks) : base(name, parameter) => _networks = networks;

    public static IpMatchOperator Create(string name, string parameter, IEnumerable<string> entries, string where)
    {
        var networks = new List<IpNetwork>();
        foreach (var entry in entries)
        {
            if (!IpNetwork.TryParse(entry, out var network, out var error)) throw new SecLangException($"{where}: @{name}: '{entry}' {error}");
            networks.Add(network);
        }
        return new IpMatchOperator(name, parameter, [.. networks]);
    }

    public override bool Match(IMatchContext context, string input) =>
        IPAddress.TryParse(input, out var address) && _networks.Any(n => n.Contains(address));
}
