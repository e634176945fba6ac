using System.Xml;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>
/// Finds the port-mapping service in an Internet Gateway Device's description XML: the first
/// WANIPConnection (version 2, then 1) or WANPPPConnection service and its control URL, resolved
/// against URLBase or the description's own URL. The XML comes from any device on the LAN, so it is
/// read with DTDs prohibited, a size cap, and a control URL only on the host that served the description.
/// </summary>
public static class IgdDescription
{
    /// <summary>Longest description read. Real ones are a few kilobytes.</summary>
    public const int MaxBytes = 64 * 1024;

    public static bool TryFindControl(string xml, Uri location, out Uri? control, out string? serviceType)
    {
        control = null;
        serviceType = null;
        var found = new List<(string Type, string Control)>();
        string? urlBase = null;
        if (!TryRead(xml, found, ref urlBase))
        {
            return false;
        }
        foreach (var wanted in Ssdp.WanServiceTypes)
        {
            foreach (var (type, url) in found.Where(f => f.Type == wanted))
            {
                var baseUri = urlBase is not null && Uri.TryCreate(urlBase, UriKind.Absolute, out var b) ? b : location;
                if (Uri.TryCreate(baseUri, url, out var resolved) && resolved.Scheme == Uri.UriSchemeHttp
                    && string.Equals(resolved.Host, location.Host, StringComparison.OrdinalIgnoreCase))
                {
                    control = resolved;
                    serviceType = type;
                    return true;
                }
            }
        }
        return false;
    }

    private static bool TryRead(string xml, List<(string Type, string Control)> found, ref string? urlBase)
    {
        if (xml.Length > MaxBytes)
        {
            return false;
        }
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxBytes, IgnoreComments = true };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            string? type = null, controlUrl = null;
            var onNext = false; // reading an element's text leaves the reader on the node after it
            while (onNext || reader.Read())
            {
                onNext = false;
                if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "service")
                {
                    if (type is not null && controlUrl is not null && found.Count < 64)
                    {
                        found.Add((type, controlUrl));
                    }
                    (type, controlUrl) = (null, null);
                }
                else if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "service":
                            (type, controlUrl) = (null, null);
                            break;
                        case "serviceType":
                            type = reader.ReadElementContentAsString().Trim();
                            onNext = true;
                            break;
                        case "controlURL":
                            controlUrl = reader.ReadElementContentAsString().Trim();
                            onNext = true;
                            break;
                        case "URLBase":
                            urlBase = reader.ReadElementContentAsString().Trim();
                            onNext = true;
                            break;
                    }
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
