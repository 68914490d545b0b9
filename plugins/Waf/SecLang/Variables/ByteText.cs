using System.Text;

namespace Edgeplane.Plugins.Waf.SecLang.Variables;

/// <summary>Text as SecLang's variables hold it: each char above 127 stands for the bytes of its UTF-8 encoding.</summary>
public static class ByteText
{
    public static string Of(string text)
    {
        foreach (var c in text)
            if (c > 127) return Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
        return text;
    }
}
