using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>Generated JSON metadata of the bodies the plugin's routes bind (added to the host's JSON options).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Credentials))]
[JsonSerializable(typeof(NewZone))]
[JsonSerializable(typeof(ZoneUser))]
[JsonSerializable(typeof(AclEntry))]
[JsonSerializable(typeof(PasswordChange))]
[JsonSerializable(typeof(NewDnsNode))]
[JsonSerializable(typeof(NodePower))]
[JsonSerializable(typeof(NewRecord))]
[JsonSerializable(typeof(ZoneImport))]
[JsonSerializable(typeof(AxfrImport))]
[JsonSerializable(typeof(BulkRequest))]
[JsonSerializable(typeof(BulkChanges))]
internal sealed partial class DnsJson : JsonSerializerContext;
