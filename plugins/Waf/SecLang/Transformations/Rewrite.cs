using System.Buffers;

namespace Edgeplane.Plugins.Waf.SecLang.Transformations;

/// <summary>
/// A transformation's output written into a rented buffer: the input's own instance when nothing changed (what the
/// transaction's caches share by reference), otherwise one new string — no builder, no copy of an unchanged value.
/// </summary>
internal static class Rewrite
{
    public static char[] Rent(int length) => ArrayPool<char>.Shared.Rent(Math.Max(length, 1));

    public static string Finish(string input, char[] buffer, int length)
    {
        var output = buffer.AsSpan(0, length);
        var result = output.SequenceEqual(input) ? input : new string(output);
        ArrayPool<char>.Shared.Return(buffer);
        return result;
    }
}
