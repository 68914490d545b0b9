using System.Text;

namespace Edgeplane.Plugins.Waf.SecLang.Parsing;

/// <summary>
/// Reads SecLang files into directives: comments, lines continued with a trailing backslash, double-quoted
/// arguments (where only <c>\"</c> is an escape, as in Apache's and ModSecurity's parsers), and
/// <c>Include</c>/<c>IncludeOptional</c> with wildcards, relative to the including file.
/// </summary>
public static class DirectiveReader
{
    public static List<Directive> ReadFile(string path)
    {
        var result = new List<Directive>();
        Read(Path.GetFullPath(path), result, depth: 0);
        return result;
    }

    public static List<Directive> ReadText(string text, string name, string baseDirectory)
    {
        var result = new List<Directive>();
        ReadLines(text, name, baseDirectory, result, depth: 0);
        return result;
    }

    private static void Read(string path, List<Directive> into, int depth)
    {
        if (!File.Exists(path)) throw new SecLangException($"rule file not found: {path}");
        ReadLines(File.ReadAllText(path, Encoding.Latin1), path, Path.GetDirectoryName(path)!, into, depth);
    }

    private static void ReadLines(string text, string name, string baseDirectory, List<Directive> into, int depth)
    {
        if (depth > 16) throw new SecLangException($"{name}: includes nested too deeply");
        var lines = text.Split('\n');
        var logical = new StringBuilder();
        var startLine = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (logical.Length == 0)
            {
                startLine = i + 1;
                var trimmed = line.TrimStart();
                if (trimmed.Length == 0 || trimmed[0] == '#') continue;
            }
            if (line.EndsWith('\\'))
            {
                logical.Append(line, 0, line.Length - 1);
                continue;
            }
            logical.Append(line);
            var directive = Tokenize(logical.ToString(), name, startLine);
            logical.Clear();
            if (directive is null) continue;
            if (directive.Name.Equals("Include", StringComparison.OrdinalIgnoreCase) || directive.Name.Equals("IncludeOptional", StringComparison.OrdinalIgnoreCase))
            {
                var optional = directive.Name.Length > "Include".Length;
                if (directive.Arguments.Count != 1) throw new SecLangException($"{directive.Where}: {directive.Name} takes one path");
                var files = Expand(directive.Arguments[0], baseDirectory);
                if (files.Count == 0 && !optional) throw new SecLangException($"{directive.Where}: nothing matches {directive.Arguments[0]}");
                foreach (var file in files) Read(file, into, depth + 1);
                continue;
            }
            into.Add(directive);
        }
        if (logical.Length > 0) into.Add(Tokenize(logical.ToString(), name, startLine) ?? throw new SecLangException($"{name}:{startLine}: unterminated line"));
    }

    /// <summary>A path or a wildcard in its last segment (<c>rules/*.conf</c>), in ordinal order as Apache includes them.</summary>
    internal static List<string> Expand(string pattern, string baseDirectory, bool required = false)
    {
        var full = Path.GetFullPath(Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern));
        if (!full.Contains('*') && !full.Contains('?'))
            return File.Exists(full) ? [full] : required ? throw new SecLangException($"rule file not found: {full}") : [];
        var directory = Path.GetDirectoryName(full)!;
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, Path.GetFileName(full)) : [];
        if (files.Length == 0 && required) throw new SecLangException($"no rule file matches {full}");
        Array.Sort(files, StringComparer.Ordinal);
        return [.. files];
    }

    internal static Directive? Tokenize(string line, string file, int lineNumber)
    {
        var args = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            if (i >= line.Length) break;
            var sb = new StringBuilder();
            if (line[i] is '"' or '\'')
            {
                var quote = line[i++];
                var closed = false;
                while (i < line.Length)
                {
                    var c = line[i];
                    if (c == '\\' && i + 1 < line.Length && line[i + 1] == quote) { sb.Append(quote); i += 2; continue; }
                    if (c == quote) { closed = true; i++; break; }
                    sb.Append(c);
                    i++;
                }
                if (!closed) throw new SecLangException($"{file}:{lineNumber}: unterminated quoted argument");
            }
            else
            {
                while (i < line.Length && !char.IsWhiteSpace(line[i])) sb.Append(line[i++]);
            }
            args.Add(sb.ToString());
        }
        if (args.Count == 0) return null;
        return new Directive(args[0], args.Skip(1).ToArray(), file, lineNumber);
    }
}
