namespace Edgeplane.Plugins.Dns.Data;

/// <summary>A row of <c>dns_notified</c>: the serial of a zone last announced to a NOTIFY target and acknowledged.</summary>
public sealed record NotifiedRow
{
    public string ZoneId { get; init; } = "";
    public string Target { get; init; } = "";
    public long Serial { get; init; }
}
