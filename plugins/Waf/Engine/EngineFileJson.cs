using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Plugins.Waf.Data;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// Generated JSON metadata for the files the engine reads back at start (its counters, a node's last good configuration):
/// built by reflection, the first read cost the start tens of milliseconds of emitted code.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CounterState))]
[JsonSerializable(typeof(WafConfig))]
internal sealed partial class EngineFileJson : JsonSerializerContext;
