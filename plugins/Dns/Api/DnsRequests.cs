using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary><c>POST /api/auth/signup</c> and <c>/api/auth/login</c>.</summary>
public sealed record Credentials(string? Username, string? Password);

/// <summary><c>POST /api/zones/add</c>: the zone's name (<c>example.com</c>, <c>2.0.192.in-addr.arpa</c>).</summary>
public sealed record NewZone(string? Zone);

/// <summary><c>POST /api/zone/{zone}/users</c> and <c>/users/remove</c>: the account the zone is shared with.</summary>
public sealed record ZoneUser(string? Username);

/// <summary><c>PUT /api/user/acl</c>: one address or CIDR prefix to append (<see cref="Address"/> on a seed mount, the original's name).</summary>
public sealed record AclEntry(string? Acl, string? Address);

/// <summary><c>POST /api/user/change_password</c>: the current password and the new one (<c>newPassword</c> is read too).</summary>
public sealed record PasswordChange(
    string? Password,
    [property: JsonPropertyName("new_password")] string? NewPassword,
    [property: JsonPropertyName("newPassword")] string? NewPasswordCamelCase);

/// <summary><c>POST /api/nodes/add</c>: port 53 when left out.</summary>
public sealed record NewDnsNode(string? Name, string? Address, int? Port, string? Location, double? Latitude, double? Longitude);

/// <summary><c>POST /api/nodes/power</c>: the node by id or name (<see cref="Name"/> on a seed mount, the original's); <see cref="State"/> true or "on" enables it.</summary>
public sealed record NodePower(string? Node, string? Name, bool? State);

/// <summary><c>POST /api/zone/{zone}/add</c>: the seed's fields and the extra ones some types need.</summary>
public sealed record NewRecord(string? Label, string? Type, int? Ttl, string? Value, int? Priority, int? Weight, int? Port, int? Flags, string? Tag)
{
    public Domain.RecordInput ToInput() => new(Label, Type, Ttl, Value, Priority, Weight, Port, Flags, Tag);
}

/// <summary><c>POST /api/zone/{zone}/import</c> as fields: the RFC 1035 master file and merge (default) or replace.</summary>
public sealed record ZoneImport(string? Zonefile, string? Mode);

/// <summary><c>POST /api/zone/{zone}/import/axfr</c>: the primary's address (and port), merge (default) or replace.</summary>
public sealed record AxfrImport(string? Primary, string? Mode);

/// <summary>
/// <c>POST /api/zone/{zone}/bulk</c> as bound: each change is read on its own (<see cref="Fields.Of"/>), so that every
/// refused change is named in one answer. <see cref="BulkChanges"/> describes it.
/// </summary>
public sealed record BulkRequest(List<JsonElement>? Changes);

/// <summary><c>POST /api/zone/{zone}/bulk</c> as documented: add, edit or delete changes applied all or none.</summary>
public sealed record BulkChanges(List<BulkChange> Changes);

/// <summary>One change: <see cref="Op"/> add (default), edit or delete; edit and delete name the record's <see cref="Index"/>.</summary>
public sealed record BulkChange(string? Op, int? Index, string? Label, string? Type, int? Ttl, string? Value,
    int? Priority, int? Weight, int? Port, int? Flags, string? Tag);
