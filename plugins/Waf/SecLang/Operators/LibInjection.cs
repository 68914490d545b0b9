using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.SecLang.Operators;

/// <summary>
/// libinjection, as Debian's <c>libmodsecurity3</c> ships and exports it (<c>libinjection_sqli</c>,
/// <c>libinjection_xss</c>): called, not re-implemented. Loaded on first need; a rule set that uses
/// <c>@detectSQLi</c>/<c>@detectXSS</c> fails to load, naming the library, when it is missing.
/// </summary>
public static unsafe class LibInjection
{
    public static readonly string[] Libraries = ["libmodsecurity.so.3", "libinjection.so", "libinjection.so.1"];

    private static readonly Lazy<(IntPtr Sqli, IntPtr Xss, string? Error)> Exports = new(Load);
    /// <summary>Values up to this length are handed to libinjection from the stack, longer ones from a pooled buffer.</summary>
    private const int StackBytes = 1024;

    public static string? LoadError => Exports.Value.Error;

    private static (IntPtr, IntPtr, string?) Load()
    {
        foreach (var name in Libraries)
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            if (NativeLibrary.TryGetExport(handle, "libinjection_sqli", out var sqli) && NativeLibrary.TryGetExport(handle, "libinjection_xss", out var xss))
                return (sqli, xss, null);
        }
        return (IntPtr.Zero, IntPtr.Zero, $"libinjection was not found (looked for {string.Join(", ", Libraries)} exporting libinjection_sqli and libinjection_xss; on Debian: apt-get install libmodsecurity3)");
    }

    /// <summary>Whether the bytes are SQL injection; the fingerprint libinjection matched when they are.</summary>
    public static bool IsSqli(string value, out string fingerprint)
    {
        var exports = Exports.Value;
        if (exports.Error is not null) throw new InvalidOperationException(exports.Error);
        var rented = value.Length > StackBytes ? ArrayPool<byte>.Shared.Rent(value.Length) : null;
        Span<byte> bytes = rented is null ? stackalloc byte[StackBytes] : rented;
        var length = Encoding.Latin1.GetBytes(value, bytes);
        var print = stackalloc byte[8];
        int result;
        fixed (byte* p = bytes)
            result = ((delegate* unmanaged<byte*, nuint, byte*, int>)exports.Sqli)(p, (nuint)length, print);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        fingerprint = result != 0 ? Marshal.PtrToStringAnsi((IntPtr)print) ?? "" : "";
        return result != 0;
    }

    public static bool IsXss(string value)
    {
        var exports = Exports.Value;
        if (exports.Error is not null) throw new InvalidOperationException(exports.Error);
        var rented = value.Length > StackBytes ? ArrayPool<byte>.Shared.Rent(value.Length) : null;
        Span<byte> bytes = rented is null ? stackalloc byte[StackBytes] : rented;
        var length = Encoding.Latin1.GetBytes(value, bytes);
        int result;
        fixed (byte* p = bytes)
            result = ((delegate* unmanaged<byte*, nuint, int>)exports.Xss)(p, (nuint)length);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return result != 0;
    }
}

/// <summary><c>@detectSQLi</c> (capture: TX:0 is libinjection's fingerprint) and <c>@detectXSS</c>.</summary>
public sealed class LibInjectionOperator : SecOperator
{
    private readonly bool _sql;

    public LibInjectionOperator(string name, bool sql, string where) : base(name, "")
    {
        if (LibInjection.LoadError is { } error) throw new SecLangException($"{where}: @{name} needs libinjection: {error}");
        _sql = sql;
    }

    public override bool Match(IMatchContext context, string input)
    {
        if (!_sql) return LibInjection.IsXss(input);
        if (!LibInjection.IsSqli(input, out var fingerprint)) return false;
        if (context.Capturing) context.SetCapture(0, fingerprint);
        return true;
    }
}
