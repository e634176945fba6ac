using System.Security;
using System.Text;
using System.Xml;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>
/// The SOAP 1.1 calls of an IGD's WANIPConnection service (UPnP IGD WANIPConnection:1 §2.4): the
/// envelope for an action with its arguments in order, and the reply's values — the leaf elements of
/// the body, or the UPnP errorCode of a fault. Replies are capped and read without DTDs.
/// </summary>
public static class UpnpSoap
{
    /// <summary>Longest reply read. Real ones are a few hundred bytes.</summary>
    public const int MaxReplyBytes = 16 * 1024;

    private const int MaxValues = 32;

    public static string Envelope(string serviceType, string action, IEnumerable<(string Name, string Value)> arguments)
    {
        var body = new StringBuilder();
        body.Append("<?xml version=\"1.0\"?>")
            .Append("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>")
            .Append($"<u:{action} xmlns:u=\"{SecurityElement.Escape(serviceType)}\">");
        foreach (var (name, value) in arguments)
        {
            body.Append($"<{name}>{SecurityElement.Escape(value)}</{name}>");
        }
        return body.Append($"</u:{action}></s:Body></s:Envelope>").ToString();
    }

    /// <summary>The SOAPAction header's value for an action.</summary>
    public static string ActionHeader(string serviceType, string action) => $"\"{serviceType}#{action}\"";

    /// <summary>Each leaf element's text by local name (the first of each; at most 32); false when the reply is not XML.</summary>
    public static bool TryReadValues(string xml, out Dictionary<string, string> values)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (xml.Length > MaxReplyBytes)
        {
            return false;
        }
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxReplyBytes, IgnoreComments = true };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            string? open = null;
            while (reader.Read() && values.Count < MaxValues)
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        open = reader.IsEmptyElement ? null : reader.LocalName;
                        if (reader.IsEmptyElement)
                        {
                            values.TryAdd(reader.LocalName, "");
                        }
                        break;
                    case XmlNodeType.Text when open is not null:
                        values.TryAdd(open, reader.Value.Trim());
                        break;
                    case XmlNodeType.EndElement:
                        open = null;
                        break;
                }
            }
            return true;
        }
        catch (XmlException)
        {
            return false;
        }
    }
}
