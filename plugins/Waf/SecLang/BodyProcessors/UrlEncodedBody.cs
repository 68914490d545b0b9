using Edgeplane.Plugins.Waf.SecLang.Transformations;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang.BodyProcessors;

/// <summary><c>a=1&amp;b=2</c> (query strings and form bodies): names and values percent-decoded, <c>+</c> as space.</summary>
public static class UrlEncodedBody
{
    public static void Parse(string text, Collection into)
    {
        if (text.Length == 0) return;
        foreach (var pair in text.Split('&'))
        {
            if (pair.Length == 0) continue;
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            into.Add(UrlDecoding.Decode(name, unicode: false), UrlDecoding.Decode(value, unicode: false));
        }
    }
}
