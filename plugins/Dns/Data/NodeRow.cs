namespace Edgeplane.Plugins.Dns.Data;

/// <summary>A row of <c>dns_nodes</c>: a DNS node (a secondary) that is notified of every zone change while enabled.</summary>
public sealed record NodeRow
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Address { get; init; } = "";
    public int Port { get; init; }
    public string Location { get; init; } = "";
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public bool Enabled { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public const string Columns = "id AS Id, name AS Name, address AS Address, port AS Port, location AS Location, latitude AS Latitude, " +
        "longitude AS Longitude, enabled AS Enabled, created_at AS CreatedAt";
}
