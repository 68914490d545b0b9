using System.Text;

namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>
/// The proxy reads header values as bytes (one Latin-1 character per byte) so that it forwards them
/// unchanged; the rules see them as text, which on the web is UTF-8.
/// </summary>
internal static class HeaderText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string ForInspection(string? bytes)
    {
        if (string.IsNullOrEmpty(bytes) || Ascii.IsValid(bytes)) return bytes ?? "";
        try
        {
            return StrictUtf8.GetString(Encoding.Latin1.GetBytes(bytes));
        }
        catch (DecoderFallbackException)
        {
            return bytes;
        }
    }
}
