using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>
/// Generated JSON metadata of the bodies the plugin's routes bind and of the answers they write (added to the host's JSON
/// options; the answers themselves are written with <see cref="Json"/>'s options, whose names they state).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BlacklistModule.NewEntry))]
[JsonSerializable(typeof(NodesModule.NodeRegistration))]
[JsonSerializable(typeof(ScaleModule.ScaleRequest))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(PolicyModule.NewPolicy))]
[JsonSerializable(typeof(RulesModule.NewRule))]
[JsonSerializable(typeof(RulesModule.BulkRules))]
[JsonSerializable(typeof(WebhooksModule.NewWebhook))]
[JsonSerializable(typeof(BlacklistModule.BlacklistEntry))]
[JsonSerializable(typeof(BlacklistModule.BlacklistPage))]
[JsonSerializable(typeof(BlocksModule.BlockView))]
[JsonSerializable(typeof(BlocksModule.BlockPage))]
[JsonSerializable(typeof(NodesModule.NodeList))]
[JsonSerializable(typeof(NodesModule.IssuedCredential))]
[JsonSerializable(typeof(NodesModule.HeartbeatAnswer))]
[JsonSerializable(typeof(ScaleModule.ScaleView))]
[JsonSerializable(typeof(ThreatsModule.ThreatsView))]
[JsonSerializable(typeof(WafConfig))]
[JsonSerializable(typeof(PolicyModule.DeployedPolicy))]
[JsonSerializable(typeof(PolicyModule.PolicyList))]
[JsonSerializable(typeof(RulesModule.RuleView))]
[JsonSerializable(typeof(RulesModule.RuleList))]
[JsonSerializable(typeof(RulesModule.CreatedRule))]
[JsonSerializable(typeof(RulesModule.ImportedRules))]
[JsonSerializable(typeof(RulesModule.DeletedRule))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(StatsReport))]
[JsonSerializable(typeof(WebhooksModule.CreatedWebhook))]
[JsonSerializable(typeof(WebhooksModule.WebhookList))]
[JsonSerializable(typeof(WebhooksModule.DeliveryPage))]
internal sealed partial class WafJson : JsonSerializerContext;
