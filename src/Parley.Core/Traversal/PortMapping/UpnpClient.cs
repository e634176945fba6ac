using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>
/// Maps ports with a UPnP Internet Gateway Device: found by SSDP, then SOAP calls to its
/// WANIPConnection (or WANPPPConnection) control URL — GetExternalIPAddress, AddPortMapping with a
/// lease, DeletePortMapping. Every HTTP exchange has a timeout and a size cap.
/// </summary>
public sealed class UpnpClient : IPortMapper, IDisposable
{
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(3);
    private readonly HttpClient _http;
    private readonly Uri _control;
    private readonly string _serviceType;
    private readonly IPAddress _local;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(MappedProtocol, int), int> _granted = new();

    private UpnpClient(HttpClient http, Uri control, string serviceType, IPAddress local)
    {
        (_http, _control, _serviceType, _local) = (http, control, serviceType, local);
    }

    public string Method => "UPnP";

    /// <summary>Where the gateway's port-mapping service answers (for logs).</summary>
    public Uri Control => _control;

    /// <summary>
    /// Searches the LAN for a gateway for up to <paramref name="wait"/> and returns a client for the first
    /// whose description names a port-mapping service; null when none answered.
    /// </summary>
    public static async Task<UpnpClient?> DiscoverAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 2);
        var group = new IPEndPoint(IPAddress.Parse(Ssdp.MulticastAddress), Ssdp.Port);
        var http = CreateHttp();
        var tried = new HashSet<Uri>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, 0));
            foreach (var type in Ssdp.WanServiceTypes)
            {
                await socket.SendToAsync(Ssdp.SearchRequest(type), SocketFlags.None, group, deadline.Token).ConfigureAwait(false);
            }
            var buffer = new byte[Ssdp.MaxReplyBytes + 1];
            while (tried.Count < 8)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), deadline.Token).ConfigureAwait(false);
                if (Ssdp.TryReadLocation(buffer.AsSpan(0, received.ReceivedBytes), out var location) && tried.Add(location!)
                    && await TryDescribeAsync(http, location!, deadline.Token).ConfigureAwait(false) is { } client)
                {
                    http = null; // the client owns it now
                    return client;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing (more) answered in time.
        }
        catch (SocketException)
        {
            // No multicast route, no network: no gateway to find.
        }
        finally
        {
            http?.Dispose();
        }
        return null;
    }

    private static HttpClient CreateHttp() =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, ConnectTimeout = HttpTimeout, MaxResponseHeadersLength = 16 }) { Timeout = HttpTimeout };

    private static async Task<UpnpClient?> TryDescribeAsync(HttpClient http, Uri location, CancellationToken cancellationToken)
    {
        var xml = await GetTextAsync(http, new HttpRequestMessage(HttpMethod.Get, location), IgdDescription.MaxBytes, cancellationToken).ConfigureAwait(false);
        if (xml is null || !IgdDescription.TryFindControl(xml, location, out var control, out var type) || LocalAddressToward(control!) is not { } local)
        {
            return null;
        }
        return new UpnpClient(http, control!, type!, local);
    }

    /// <summary>Our address on the gateway's LAN, which AddPortMapping must name as the internal client.</summary>
    private static IPAddress? LocalAddressToward(Uri control)
    {
        if (!IPAddress.TryParse(control.Host, out var host))
        {
            return null;
        }
        using var probe = new Socket(host.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            probe.Connect(new IPEndPoint(host, control.Port));
            return ((IPEndPoint)probe.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    public async Task<IPAddress?> ExternalAddressAsync(CancellationToken cancellationToken)
    {
        var values = await CallAsync("GetExternalIPAddress", [], cancellationToken).ConfigureAwait(false);
        return values is not null && values.TryGetValue("NewExternalIPAddress", out var text) && IPAddress.TryParse(text, out var address) ? address : null;
    }

    public async Task<ForwardedPort?> MapAsync(MappedProtocol protocol, int internalPort, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var external = await ExternalAddressAsync(cancellationToken).ConfigureAwait(false);
        if (external is null)
        {
            return null;
        }
        // The port granted before (a renewal), else the same port as inside; when another host holds it
        // (718 ConflictInMappingEntry), two random ones.
        int[] ports = [_granted.GetValueOrDefault((protocol, internalPort), internalPort), Random.Shared.Next(1024, 65536), Random.Shared.Next(1024, 65536)];
        foreach (var port in ports)
        {
            var values = await CallAsync("AddPortMapping",
            [
                ("NewRemoteHost", ""), ("NewExternalPort", Text(port)), ("NewProtocol", Name(protocol)), ("NewInternalPort", Text(internalPort)),
                ("NewInternalClient", _local.ToString()), ("NewEnabled", "1"), ("NewPortMappingDescription", "Parley"),
                ("NewLeaseDuration", Text((long)lifetime.TotalSeconds)),
            ], cancellationToken).ConfigureAwait(false);
            if (values is not null && !values.ContainsKey("errorCode"))
            {
                _granted[(protocol, internalPort)] = port;
                return new ForwardedPort(protocol, internalPort, new IPEndPoint(external, port), lifetime, Method);
            }
            if (values?.GetValueOrDefault("errorCode") != "718")
            {
                return null;
            }
        }
        return null;
    }

    public Task DeleteAsync(ForwardedPort port, CancellationToken cancellationToken) =>
        CallAsync("DeletePortMapping", [("NewRemoteHost", ""), ("NewExternalPort", Text(port.External.Port)), ("NewProtocol", Name(port.Protocol))], cancellationToken);

    /// <summary>The reply's values (a fault's include errorCode), or null when the gateway did not answer with XML.</summary>
    private async Task<Dictionary<string, string>?> CallAsync(string action, (string, string)[] arguments, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _control)
        {
            Content = new StringContent(UpnpSoap.Envelope(_serviceType, action, arguments), Encoding.UTF8, "text/xml"),
        };
        request.Headers.TryAddWithoutValidation("SOAPAction", UpnpSoap.ActionHeader(_serviceType, action));
        var xml = await GetTextAsync(_http, request, UpnpSoap.MaxReplyBytes, cancellationToken, acceptFault: true).ConfigureAwait(false);
        return xml is not null && UpnpSoap.TryReadValues(xml, out var values) ? values : null;
    }

    /// <summary>The body as text when it fits in <paramref name="maxBytes"/>; null on any failure, status or timeout.</summary>
    private static async Task<string?> GetTextAsync(HttpClient http, HttpRequestMessage request, int maxBytes, CancellationToken cancellationToken, bool acceptFault = false)
    {
        try
        {
            using (request)
            using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode && !(acceptFault && response.StatusCode == HttpStatusCode.InternalServerError))
                {
                    return null;
                }
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var buffer = new byte[maxBytes + 1];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }
                return total > maxBytes ? null : Encoding.UTF8.GetString(buffer, 0, total);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static string Name(MappedProtocol protocol) => protocol == MappedProtocol.Udp ? "UDP" : "TCP";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _http.Dispose();
}
