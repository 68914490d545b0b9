using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edgeplane.Host.Plugins;

/// <summary>Reads <c>plugin.json</c> with generated code: reflection-based metadata cost ~30 ms of every start.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowTrailingCommas = true, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(PluginManifest))]
internal sealed partial class PluginManifestJson : JsonSerializerContext;
