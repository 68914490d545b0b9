using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Ebpf.Api;

/// <summary>
/// Generated JSON metadata for the request bodies the routes bind and the answers they write: the request delegates read
/// it when the endpoints are built at start, where reflection-based metadata was most of their cost.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(NewEnrollmentToken))]
[JsonSerializable(typeof(TeamUpdate))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(TeamView))]
[JsonSerializable(typeof(DeletedView))]
[JsonSerializable(typeof(TokenView))]
[JsonSerializable(typeof(Page<TokenView>))]
[JsonSerializable(typeof(IssuedTokenView))]
[JsonSerializable(typeof(NodeView))]
[JsonSerializable(typeof(Page<NodeView>))]
[JsonSerializable(typeof(IReadOnlyList<NodeView>))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(Page<JsonObject>))]
[JsonSerializable(typeof(IReadOnlyList<JsonObject>))]
[JsonSerializable(typeof(EnrollResponse))]
[JsonSerializable(typeof(ReportAccepted))]
internal sealed partial class EbpfJson : JsonSerializerContext;
