namespace Edgeplane.Plugins.Waf.SecLang.Parsing;

/// <summary>One configuration directive (<c>SecRule ARGS "@rx x" "id:1,deny"</c>) with its arguments unquoted.</summary>
public sealed record Directive(string Name, IReadOnlyList<string> Arguments, string File, int Line)
{
    public string Where => $"{File}:{Line}";
}

/// <summary>A rule file that cannot be loaded, naming the file and line.</summary>
public sealed class SecLangException(string message) : Exception(message);
