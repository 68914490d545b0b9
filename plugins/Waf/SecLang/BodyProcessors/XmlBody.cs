using System.Xml;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang.BodyProcessors;

/// <summary>XML bodies, parsed without DTDs or external entities, for the <c>XML:/xpath</c> variable.</summary>
public static class XmlBody
{
    public static XmlDocument? Parse(byte[] body, out string? error)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, MaxCharactersFromEntities = 1024 };
        try
        {
            using var stream = new MemoryStream(body);
            using var reader = XmlReader.Create(stream, settings);
            var document = new XmlDocument { XmlResolver = null };
            document.Load(reader);
            error = null;
            return document;
        }
        catch (XmlException e)
        {
            error = "XML parsing error: " + e.Message;
            return null;
        }
    }

    /// <summary>The text of each node the XPath selects (<c>/*</c>: the whole document's text; <c>//@*</c>: every attribute value).</summary>
    public static IEnumerable<string> Select(XmlDocument document, string xpath)
    {
        XmlNodeList? nodes;
        try
        {
            nodes = document.SelectNodes(xpath);
        }
        catch (System.Xml.XPath.XPathException)
        {
            yield break;
        }
        if (nodes is null) yield break;
        foreach (XmlNode node in nodes) yield return ByteText.Of(node.InnerText);
    }
}
