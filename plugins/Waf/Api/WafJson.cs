using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Plugins.Waf.Engine;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>Generated JSON metadata of the bodies the plugin's routes bind (added to the host's JSON options).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BlacklistModule.NewEntry))]
[JsonSerializable(typeof(NodesModule.NodeRegistration))]
[JsonSerializable(typeof(NodesModule.ScaleRequest))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(PolicyModule.NewPolicy))]
[JsonSerializable(typeof(RulesModule.NewRule))]
[JsonSerializable(typeof(RulesModule.BulkRules))]
[JsonSerializable(typeof(WebhooksModule.NewWebhook))]
internal sealed partial class WafJson : JsonSerializerContext;
