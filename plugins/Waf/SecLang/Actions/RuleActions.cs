using System.Text;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.SecLang.Actions;

public enum Disruptive
{
    None,
    Pass,
    Deny,
    Drop,
    /// <summary>Whatever disruptive action <c>SecDefaultAction</c> gives the rule's phase (<c>pass</c> in the CRS).</summary>
    Block,
    Allow,
    Redirect,
}

/// <summary>An action run when a rule matches, in the order the rule lists it (<c>setvar</c>, compiled; <c>ctl</c>, …).</summary>
public sealed record RuntimeAction(string Name, string Value, SetVarAction? SetVar = null);

/// <summary>The actions of one rule (<c>"id:1,phase:2,deny,t:lowercase,setvar:tx.x=+1"</c>), parsed.</summary>
public sealed class RuleActions
{
    public int? Id { get; set; }
    public int? Phase { get; set; }
    public Disruptive Disruptive { get; set; }
    public int? Status { get; set; }
    /// <summary><c>allow</c>'s scope: null (the rest of the transaction), <c>phase</c> or <c>request</c>.</summary>
    public string? AllowScope { get; set; }
    public string? Msg { get; set; }
    public string? LogData { get; set; }
    public string? Severity { get; set; }
    public string? Ver { get; set; }
    public List<string> Tags { get; } = [];
    public bool Chain { get; set; }
    public bool Capture { get; set; }
    public bool MultiMatch { get; set; }
    public bool? Log { get; set; }
    public string? SkipAfter { get; set; }
    public int Skip { get; set; }
    /// <summary>Transformation names in order; <c>none</c> clears the ones before it (and the default action's).</summary>
    public List<string> Transformations { get; } = [];
    public List<RuntimeAction> Runtime { get; } = [];

    private static readonly string[] SeverityNames = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"];

    /// <summary>Actions CRS and ModSecurity configurations use that change nothing in this engine (logging, audit, persistence).</summary>
    private static readonly HashSet<string> Ignored = new(StringComparer.OrdinalIgnoreCase)
    {
        "auditlog", "noauditlog", "rev", "maturity", "accuracy", "initcol", "expirevar", "setenv", "setuid", "setsid",
        "sanitiseArg", "sanitiseMatched", "sanitiseMatchedBytes", "sanitiseRequestHeader", "sanitiseResponseHeader", "append",
        "prepend", "deprecatevar", "exec", "xmlns", "pause", "proxy", "status_line",
    };

    public static RuleActions Parse(string text, string where)
    {
        var actions = new RuleActions();
        foreach (var (name, value) in Split(text, where))
            actions.Add(name, value, where);
        return actions;
    }

    private void Add(string name, string? value, string where)
    {
        switch (name.ToLowerInvariant())
        {
            case "id":
                Id = int.TryParse(value, out var id) ? id : throw new SecLangException($"{where}: id must be a number, not '{value}'");
                break;
            case "phase":
                Phase = value?.ToLowerInvariant() switch
                {
                    "request" => 2,
                    "response" => 4,
                    "logging" => 5,
                    _ when int.TryParse(value, out var p) && p is >= 1 and <= 5 => p,
                    _ => throw new SecLangException($"{where}: unknown phase '{value}'"),
                };
                break;
            case "pass": Disruptive = Disruptive.Pass; break;
            case "deny": Disruptive = Disruptive.Deny; break;
            case "drop": Disruptive = Disruptive.Drop; break;
            case "block": Disruptive = Disruptive.Block; break;
            case "redirect": Disruptive = Disruptive.Redirect; break;
            case "allow":
                Disruptive = Disruptive.Allow;
                AllowScope = value?.ToLowerInvariant();
                break;
            case "status":
                Status = int.TryParse(value, out var s) ? s : throw new SecLangException($"{where}: status must be a number");
                break;
            case "msg": Msg = value; break;
            case "logdata": LogData = value; break;
            case "tag": Tags.Add(value ?? ""); break;
            case "ver": Ver = value; break;
            case "severity":
                Severity = int.TryParse(value, out var level) && level is >= 0 and < 8 ? SeverityNames[level] : value?.ToUpperInvariant();
                break;
            case "chain": Chain = true; break;
            case "capture": Capture = true; break;
            case "multimatch": MultiMatch = true; break;
            case "log": Log = true; break;
            case "nolog": Log = false; break;
            case "skipafter": SkipAfter = value; break;
            case "skip": Skip = int.TryParse(value, out var n) ? n : 0; break;
            case "t": Transformations.Add(value ?? ""); break;
            case "setvar":
                Runtime.Add(new RuntimeAction("setvar", value ?? "", SetVarAction.Parse(value ?? "")));
                break;
            case "ctl":
                Runtime.Add(new RuntimeAction("ctl", value ?? ""));
                break;
            default:
                if (!Ignored.Contains(name)) throw new SecLangException($"{where}: unknown action '{name}'");
                break;
        }
    }

    /// <summary>Splits on commas outside single quotes; a value in single quotes loses them (<c>\'</c> inside is a quote).</summary>
    internal static IEnumerable<(string Name, string? Value)> Split(string text, string where)
    {
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ',')) i++;
            if (i >= text.Length) yield break;
            var nameStart = i;
            while (i < text.Length && text[i] != ':' && text[i] != ',') i++;
            var name = text[nameStart..i].Trim();
            if (i >= text.Length || text[i] == ',')
            {
                yield return (name, null);
                continue;
            }
            i++; // ':'
            while (i < text.Length && text[i] == ' ') i++;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '\'') { value.Append('\''); i += 2; continue; }
                    if (text[i] == '\'') { closed = true; i++; break; }
                    value.Append(text[i++]);
                }
                if (!closed) throw new SecLangException($"{where}: unterminated quote in the value of '{name}'");
            }
            else
            {
                while (i < text.Length && text[i] != ',') value.Append(text[i++]);
            }
            yield return (name, value.ToString().TrimEnd());
        }
    }
}
