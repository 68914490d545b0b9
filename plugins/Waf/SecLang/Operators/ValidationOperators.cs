using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.SecLang.Operators;

/// <summary><c>@validateByteRange 1-255</c>: matches a value holding a byte outside the listed ranges.</summary>
public sealed class ByteRangeOperator : SecOperator
{
    private readonly bool[] _allowed;

    private ByteRangeOperator(string parameter, bool[] allowed) : base("validateByteRange", parameter) => _allowed = allowed;

    public static ByteRangeOperator Create(string parameter, string where)
    {
        var allowed = new bool[256];
        foreach (var part in parameter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-');
            if (!int.TryParse(dash < 0 ? part : part[..dash], out var from) || !int.TryParse(dash < 0 ? part : part[(dash + 1)..], out var to)
                || from < 0 || to > 255 || from > to)
                throw new SecLangException($"{where}: @validateByteRange: '{part}' is not a byte or a range of bytes");
            for (var b = from; b <= to; b++) allowed[b] = true;
        }
        return new ByteRangeOperator(parameter, allowed);
    }

    public override bool Match(IMatchContext context, string input)
    {
        foreach (var c in input)
            if (c > 255 || !_allowed[c]) return true;
        return false;
    }
}

/// <summary><c>@validateUrlEncoding</c>: matches a <c>%</c> not followed by two hex digits.</summary>
public sealed class UrlEncodingOperator(string name) : SecOperator(name, "")
{
    public override bool Match(IMatchContext context, string input)
    {
        for (var i = input.IndexOf('%'); i >= 0; i = input.IndexOf('%', i + 1))
        {
            if (i + 2 >= input.Length || !char.IsAsciiHexDigit(input[i + 1]) || !char.IsAsciiHexDigit(input[i + 2])) return true;
            i += 2;
        }
        return false;
    }
}

/// <summary><c>@validateUtf8Encoding</c>: matches bytes that are not well-formed UTF-8 (truncated, bad continuation, overlong, beyond U+10FFFF).</summary>
public sealed class Utf8EncodingOperator(string name) : SecOperator(name, "")
{
    public override bool Match(IMatchContext context, string input)
    {
        for (var i = 0; i < input.Length;)
        {
            int c = input[i];
            if (c > 0xFF) return true;
            if (c < 0x80) { i++; continue; }
            var length = c switch { >= 0xC0 and <= 0xDF => 2, >= 0xE0 and <= 0xEF => 3, >= 0xF0 and <= 0xF7 => 4, _ => 0 };
            if (length == 0 || i + length > input.Length) return true;
            var code = c & (0xFF >> (length + 1));
            for (var j = 1; j < length; j++)
            {
                int d = input[i + j];
                if ((d & 0xC0) != 0x80 || d > 0xFF) return true;
                code = (code << 6) | (d & 0x3F);
            }
            var min = length switch { 2 => 0x80, 3 => 0x800, _ => 0x10000 };
            if (code < min || code > 0x10FFFF) return true;
            i += length;
        }
        return false;
    }
}
