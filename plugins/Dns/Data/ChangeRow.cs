namespace Edgeplane.Plugins.Dns.Data;

/// <summary>One row of the change feed (<see cref="ChangeKind"/>); removed and added are JSON lists of records (<see cref="ChangeRecords"/>).</summary>
public sealed record ChangeRow
{
    public long Position { get; init; }
    public string ZoneId { get; init; } = "";
    public string ZoneName { get; init; } = "";
    public string Kind { get; init; } = "";
    public long OldSerial { get; init; }
    public long Serial { get; init; }
    public string Removed { get; init; } = "[]";
    public string Added { get; init; } = "[]";

    public const string Columns = "position AS Position, zone_id AS ZoneId, zone_name AS ZoneName, kind AS Kind, old_serial AS OldSerial, " +
        "serial AS Serial, removed AS Removed, added AS Added";
}
