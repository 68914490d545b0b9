using System.Globalization;
using System.Text;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Domain;

/// <summary>A line of a master file that the reader refused or skipped: its number (where the record starts), its text, why.</summary>
public sealed record LineNote(int Line, string Text, string Reason);

/// <summary>A record read from a master file, as a record input for the validator (owner and names absolute).</summary>
public sealed record MasterFileRecord(int Line, string Text, RecordInput Input);

public sealed record MasterFile(List<MasterFileRecord> Records, List<LineNote> Errors, List<LineNote> Skipped);

/// <summary>
/// Reads an RFC 1035 §5 master file — what <c>GET …/export</c> writes and what BIND, NSD and Knot write: <c>$ORIGIN</c>,
/// <c>$TTL</c> (RFC 2308), relative names and <c>@</c>, a blank owner repeating the last one, TTL and class in either
/// order (class IN optional), BIND's TTL units (<c>1h30m</c>), parentheses across lines, comments, quoted strings with
/// <c>\X</c> and <c>\DDD</c> escapes (a TXT's several strings are joined into its one value). The record types the
/// plugin serves are read; the SOA and the apex NS set (managed by the plugin) are skipped; anything else is an error
/// naming the line. Field checks are the validator's, after this.
/// </summary>
public static class MasterFileReader
{
    private const int MaxTextInReport = 200;

    private sealed record Token(string Raw, byte[] Octets, bool Quoted);

    private sealed record Entry(int Line, string Text, bool BlankOwner, List<Token> Tokens);

    public static MasterFile Read(string text, string zone)
    {
        var file = new MasterFile([], [], []);
        var origin = zone;
        int? defaultTtl = null, lastTtl = null;
        string? lastOwner = null;
        foreach (var entry in Entries(text, file.Errors))
        {
            string? Fail(string reason)
            {
                file.Errors.Add(new LineNote(entry.Line, entry.Text, reason));
                return null;
            }

            var tokens = entry.Tokens;
            if (!entry.BlankOwner && tokens[0] is { Quoted: false } first && first.Raw.StartsWith('$'))
            {
                switch (first.Raw.ToUpperInvariant())
                {
                    case "$ORIGIN" when tokens.Count == 2:
                        if (Name(tokens[1], origin, out var reason) is { } o) origin = o;
                        else Fail("$ORIGIN: " + reason);
                        break;
                    case "$TTL" when tokens.Count == 2:
                        if (Ttl(tokens[1].Raw) is { } t) defaultTtl = t;
                        else Fail("$TTL: not a TTL (seconds, or BIND units such as 1h30m)");
                        break;
                    case "$ORIGIN" or "$TTL":
                        Fail($"{first.Raw.ToUpperInvariant()} takes one value");
                        break;
                    case "$INCLUDE":
                        Fail("$INCLUDE is not supported: put the included file's records in its place");
                        break;
                    case "$GENERATE":
                        Fail("$GENERATE (a BIND extension) is not supported: expand the records it stands for");
                        break;
                    default:
                        Fail($"unknown directive {first.Raw}");
                        break;
                }
                continue;
            }

            var at = 0;
            string? owner;
            if (entry.BlankOwner) owner = lastOwner ?? Fail("no owner name: the first record must name its owner");
            else
            {
                owner = Name(tokens[0], origin, out var reason) ?? Fail("owner: " + reason);
                at = 1;
            }
            if (owner is null) continue;
            lastOwner = owner;

            int? ttl = null;
            string? rrClass = null;
            for (var i = 0; i < 2 && at < tokens.Count && !tokens[at].Quoted; i++)
            {
                if (ttl is null && Ttl(tokens[at].Raw) is { } t) ttl = t;
                else if (rrClass is null && IsClass(tokens[at].Raw)) rrClass = tokens[at].Raw.ToUpperInvariant();
                else break;
                at++;
            }
            if (at >= tokens.Count) { Fail("no record type"); continue; }
            if (rrClass is not (null or "IN")) { Fail($"class {rrClass}: only IN is served"); continue; }
            ttl ??= defaultTtl ?? lastTtl;
            if (ttl is null) { Fail("no TTL: give the record one, or put $TTL before it"); continue; }
            lastTtl = ttl;
            var type = tokens[at].Raw.ToUpperInvariant();
            var rdata = tokens.Skip(at + 1).ToList();
            var input = Record(type, rdata, origin, zone, owner, ttl.Value, out var skip, out var error);
            if (error is not null) Fail(error);
            else if (skip is not null) file.Skipped.Add(new LineNote(entry.Line, entry.Text, skip));
            else file.Records.Add(new MasterFileRecord(entry.Line, entry.Text, input!));
        }
        return file;
    }

    private static RecordInput? Record(string type, List<Token> rdata, string origin, string zone, string owner, int ttl, out string? skip, out string? error)
    {
        skip = error = null;
        var label = owner + ".";
        string? Count(int n) => rdata.Count == n ? null : $"{type} takes {n} value{(n == 1 ? "" : "s")}, found {rdata.Count}";
        string? Target(Token token) => Name(token, origin, out _) is { } name ? name + "." : null;
        static int? Number(Token token) =>
            !token.Quoted && int.TryParse(token.Raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

        switch (type)
        {
            case "SOA":
                if (owner != zone) error = $"SOA: only the zone's own SOA (at {zone}.) may be in the file";
                else skip = "the SOA is managed by the zone (serial and timers from the plugin's settings)";
                return null;
            case "NS" when owner == zone:
                skip = "the apex NS set is managed by the zone (the NameServers setting)";
                return null;
            case "A" or "AAAA":
                if ((error = Count(1)) is not null) return null;
                return new RecordInput(label, type, ttl, rdata[0].Raw);
            case "CNAME" or "NS" or "PTR":
                if ((error = Count(1)) is not null) return null;
                return Target(rdata[0]) is { } target ? new RecordInput(label, type, ttl, target) : Invalid(out error, "value", rdata[0]);
            case "MX":
                if ((error = Count(2)) is not null) return null;
                if (Number(rdata[0]) is not { } preference) return Invalid(out error, "priority", rdata[0]);
                return Target(rdata[1]) is { } exchange ? new RecordInput(label, type, ttl, exchange, Priority: preference) : Invalid(out error, "value", rdata[1]);
            case "SRV":
                if ((error = Count(4)) is not null) return null;
                if (Number(rdata[0]) is not { } priority) return Invalid(out error, "priority", rdata[0]);
                if (Number(rdata[1]) is not { } weight) return Invalid(out error, "weight", rdata[1]);
                if (Number(rdata[2]) is not { } port) return Invalid(out error, "port", rdata[2]);
                return Target(rdata[3]) is { } srvTarget
                    ? new RecordInput(label, type, ttl, srvTarget, Priority: priority, Weight: weight, Port: port)
                    : Invalid(out error, "value", rdata[3]);
            case "TXT":
                if (rdata.Count == 0) { error = "TXT takes at least one string"; return null; }
                return Utf8(rdata.SelectMany(t => t.Octets).ToArray()) is { } txt
                    ? new RecordInput(label, type, ttl, txt)
                    : Invalid(out error, "value", null, "the text is not UTF-8");
            case "CAA":
                if ((error = Count(3)) is not null) return null;
                if (Number(rdata[0]) is not { } flags) return Invalid(out error, "flags", rdata[0]);
                return Utf8(rdata[2].Octets) is { } caa
                    ? new RecordInput(label, type, ttl, caa, Flags: flags, Tag: rdata[1].Raw)
                    : Invalid(out error, "value", null, "the value is not UTF-8");
            default:
                error = $"type {type} is not supported here (supported: SOA, {string.Join(", ", RrType.UserTypes)})";
                return null;
        }
    }

    private static RecordInput? Invalid(out string error, string field, Token? token, string? why = null)
    {
        error = $"{field}: {why ?? $"'{token!.Raw}' is not valid here"}";
        return null;
    }

    /// <summary>The octets as text when they are valid UTF-8; otherwise null.</summary>
    public static string? Utf8(byte[] octets)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(octets);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>An absolute name (no trailing dot, lowercase; the root is "") from a name token: <c>@</c> is the origin, a name without a final dot is relative to it.</summary>
    private static string? Name(Token token, string origin, out string? reason)
    {
        reason = null;
        var raw = token.Raw;
        if (token.Quoted || raw.Contains('\\')) { reason = "quoted or escaped characters in names are not supported"; return null; }
        if (raw == "@") return origin;
        if (raw == ".") return "";
        if (raw.EndsWith('.')) return DnsNames.Normalize(raw);
        var name = raw.ToLowerInvariant();
        return origin.Length == 0 ? name : name + "." + origin;
    }

    private static bool IsClass(string token) =>
        token.ToUpperInvariant() is "IN" or "CH" or "CS" or "HS" or "ANY" || token.StartsWith("CLASS", StringComparison.OrdinalIgnoreCase);

    /// <summary>A TTL: seconds, or BIND's units (<c>1w2d3h4m5s</c>, any case); null when it is not one or exceeds 2^31-1.</summary>
    public static int? Ttl(string token)
    {
        if (token.Length == 0 || !char.IsAsciiDigit(token[0])) return null;
        long total = 0, number = 0;
        var digits = false;
        foreach (var c in token)
        {
            if (char.IsAsciiDigit(c))
            {
                number = number * 10 + (c - '0');
                digits = true;
                if (number > int.MaxValue) return null;
                continue;
            }
            if (!digits) return null;
            long unit = char.ToLowerInvariant(c) switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, 'w' => 604800, _ => 0 };
            if (unit == 0) return null;
            total += number * unit;
            number = 0;
            digits = false;
        }
        total += number;
        return total > int.MaxValue ? null : (int)total;
    }

    /// <summary>
    /// The file's entries: tokens of one record or directive, joined across parentheses, without comments. A line
    /// that starts with a space or a tab has a blank owner. Lexical errors (an unterminated string, unbalanced
    /// parentheses) are reported and the entry dropped.
    /// </summary>
    private static IEnumerable<Entry> Entries(string text, List<LineNote> errors)
    {
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var startLine = line;
            var start = i;
            var blankOwner = text[i] is ' ' or '\t';
            var tokens = new List<Token>();
            var depth = 0;
            string? error = null;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\n')
                {
                    line++;
                    i++;
                    if (depth == 0) break;
                    continue;
                }
                if (c is ' ' or '\t' or '\r') { i++; continue; }
                if (c == ';')
                {
                    while (i < text.Length && text[i] != '\n') i++;
                    continue;
                }
                if (c == '(') { depth++; i++; continue; }
                if (c == ')')
                {
                    i++;
                    if (depth == 0) { error ??= "')' without '('"; continue; }
                    depth--;
                    continue;
                }
                if (c == '"')
                {
                    var octets = new List<byte>();
                    var raw = new StringBuilder();
                    i++;
                    var closed = false;
                    while (i < text.Length && text[i] != '\n')
                    {
                        if (text[i] == '"') { closed = true; i++; break; }
                        i = Unescape(text, i, octets, raw);
                    }
                    if (!closed) error ??= "unterminated quoted string";
                    tokens.Add(new Token(raw.ToString(), [.. octets], true));
                    continue;
                }
                var plain = new List<byte>();
                var word = new StringBuilder();
                while (i < text.Length && text[i] is not (' ' or '\t' or '\r' or '\n' or ';' or '(' or ')' or '"'))
                    i = Unescape(text, i, plain, word);
                tokens.Add(new Token(word.ToString(), [.. plain], false));
            }
            if (depth > 0) error ??= "'(' without ')'";
            if (tokens.Count == 0 && error is null) continue;
            var entryText = string.Join(" ", text[start..i].Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
            if (entryText.Length > MaxTextInReport) entryText = entryText[..MaxTextInReport] + "…";
            if (error is not null) errors.Add(new LineNote(startLine, entryText, error));
            else yield return new Entry(startLine, entryText, blankOwner, tokens);
        }
    }

    /// <summary>Reads one character at <paramref name="i"/> (a <c>\X</c> or <c>\DDD</c> escape included) into octets and raw text; returns the next position.</summary>
    private static int Unescape(string text, int i, List<byte> octets, StringBuilder raw)
    {
        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] != '\n')
        {
            if (i + 3 < text.Length && char.IsAsciiDigit(text[i + 1]) && char.IsAsciiDigit(text[i + 2]) && char.IsAsciiDigit(text[i + 3])
                && int.Parse(text.AsSpan(i + 1, 3), CultureInfo.InvariantCulture) is var value and <= 255)
            {
                octets.Add((byte)value);
                raw.Append(text, i, 4);
                return i + 4;
            }
            raw.Append('\\');
            return Character(text, i + 1, octets, raw);
        }
        return Character(text, i, octets, raw);
    }

    /// <summary>One character as UTF-8 (a lone surrogate becomes U+FFFD, which the checks after this refuse where it matters).</summary>
    private static int Character(string text, int i, List<byte> octets, StringBuilder raw)
    {
        Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var length);
        Span<byte> utf8 = stackalloc byte[4];
        octets.AddRange(utf8[..rune.EncodeToUtf8(utf8)]);
        raw.Append(text, i, length);
        return i + length;
    }
}
