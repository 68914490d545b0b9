using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Ebpf.Api;

/// <summary>
/// Generated JSON metadata for the request bodies the routes bind: the request delegates read it when the
/// endpoints are built at start, where reflection-based metadata was most of their cost.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(NewEnrollmentToken))]
[JsonSerializable(typeof(TeamUpdate))]
[JsonSerializable(typeof(Dictionary<string, object>))]
internal sealed partial class EbpfJson : JsonSerializerContext;
