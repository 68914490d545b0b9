using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Rollouts.Data.Evidence;

/// <summary>One OSV record as stored: id, summary, severity, aliases and its <c>affected</c> array (kept as JSON).</summary>
public sealed record OsvRecord(string Id, string Summary, string Severity, IReadOnlyList<string> Aliases, JsonArray Affected, DateTimeOffset? Modified);
