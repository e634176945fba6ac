using System.Text;
using Parley.Core.Traversal.PortMapping;

namespace Parley.Core.Tests.Traversal.PortMapping;

/// <summary>SSDP replies, IGD descriptions and SOAP replies crafted by hand, hostile ones, and random bytes.</summary>
public sealed class UpnpMessagesTests
{
    private static readonly Uri Location = new("http://10.0.2.1:5000/rootDesc.xml");

    private const string Description = """
        <?xml version="1.0"?>
        <root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
        <serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/ctl/L3F</controlURL></service></serviceList>
        <deviceList><device><deviceList><device><serviceList>
        <service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType><serviceId>x</serviceId><controlURL>/ctl/PPP</controlURL></service>
        <service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl/IPConn</controlURL></service>
        </serviceList></device></deviceList></device></deviceList></device></root>
        """;

    [Fact]
    public void Ssdp_Reply_GivesItsLocation_OnlyForA200WithAnHttpUrl()
    {
        var reply = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:service:WANIPConnection:1\r\nLocation: http://10.0.2.1:5000/rootDesc.xml\r\n\r\n";
        Assert.True(Ssdp.TryReadLocation(Encoding.ASCII.GetBytes(reply), out var location));
        Assert.Equal(Location, location);
        Assert.False(Ssdp.TryReadLocation(Encoding.ASCII.GetBytes(reply.Replace("200 OK", "404 Not Found", StringComparison.Ordinal)), out _));
        Assert.False(Ssdp.TryReadLocation(Encoding.ASCII.GetBytes(reply.Replace("http:", "file:", StringComparison.Ordinal)), out _));
        Assert.False(Ssdp.TryReadLocation(Encoding.ASCII.GetBytes(reply + new string('x', Ssdp.MaxReplyBytes)), out _));
        Assert.Contains("ST: urn:schemas-upnp-org:service:WANIPConnection:1\r\n", Encoding.ASCII.GetString(Ssdp.SearchRequest(Ssdp.WanServiceTypes[1])), StringComparison.Ordinal);
    }

    [Fact]
    public void Description_GivesTheIpConnectionsControlUrl_BeforeThePppOne()
    {
        Assert.True(IgdDescription.TryFindControl(Description, Location, out var control, out var type));
        Assert.Equal(new Uri("http://10.0.2.1:5000/ctl/IPConn"), control);
        Assert.Equal("urn:schemas-upnp-org:service:WANIPConnection:1", type);
        Assert.False(IgdDescription.TryFindControl(Description.Replace("WANIPConnection", "Other", StringComparison.Ordinal).Replace("WANPPPConnection", "Other", StringComparison.Ordinal), Location, out _, out _));
    }

    [Fact]
    public void Description_ThatPointsElsewhere_HasADtd_OrIsHuge_IsRefused()
    {
        var elsewhere = Description.Replace("/ctl/IPConn", "http://203.0.113.5/ctl", StringComparison.Ordinal).Replace("/ctl/PPP", "https://10.0.2.1/ctl", StringComparison.Ordinal);
        Assert.False(IgdDescription.TryFindControl(elsewhere, Location, out _, out _));
        var entities = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><root>&b;</root>";
        Assert.False(IgdDescription.TryFindControl(entities, Location, out _, out _));
        Assert.False(IgdDescription.TryFindControl(Description + new string(' ', IgdDescription.MaxBytes), Location, out _, out _));
    }

    [Fact]
    public void Soap_Envelope_EscapesValues_AndRepliesAndFaultsAreRead()
    {
        var envelope = UpnpSoap.Envelope("urn:schemas-upnp-org:service:WANIPConnection:1", "AddPortMapping", [("NewPortMappingDescription", "<a&b>")]);
        Assert.Contains("<NewPortMappingDescription>&lt;a&amp;b&gt;</NewPortMappingDescription>", envelope, StringComparison.Ordinal);
        Assert.Equal("\"urn:x#GetExternalIPAddress\"", UpnpSoap.ActionHeader("urn:x", "GetExternalIPAddress"));
        const string reply = """<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetExternalIPAddressResponse xmlns:u="urn:x"><NewExternalIPAddress>198.51.100.7</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>""";
        Assert.True(UpnpSoap.TryReadValues(reply, out var values));
        Assert.Equal("198.51.100.7", values["NewExternalIPAddress"]);
        const string fault = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>718</errorCode><errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>""";
        Assert.True(UpnpSoap.TryReadValues(fault, out var faulted));
        Assert.Equal("718", faulted["errorCode"]);
        Assert.False(UpnpSoap.TryReadValues("<a><b>", out _));
    }

    [Fact]
    public void RandomInput_NeverThrows()
    {
        var random = new Random(17);
        var alphabet = "<>/=\"'&;!?[] xmlnsserviceTypecontrolURLHTTP/1.1 200\r\nLOCATION:http://a".ToCharArray();
        for (var i = 0; i < 5_000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 300)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            Ssdp.TryReadLocation(bytes, out _);
            Ssdp.TryReadLocation(Encoding.ASCII.GetBytes(text), out _);
            IgdDescription.TryFindControl(text, Location, out _, out _);
            IgdDescription.TryFindControl(Description[..random.Next(Description.Length)], Location, out _, out _);
            UpnpSoap.TryReadValues(text, out _);
        }
    }
}
