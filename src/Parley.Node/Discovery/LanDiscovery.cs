using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Core.Discovery;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Node.Discovery;

/// <summary>
/// Finds other nodes on the LAN with no set-up: announces this node by UDP multicast
/// (239.255.47.80, administratively scoped, RFC 2365) and by subnet broadcast on every interface,
/// periodically and whenever a new device is heard, and listens for the same.
/// </summary>
public sealed partial class LanDiscovery : IAsyncDisposable
{
    public static readonly IPAddress MulticastGroup = IPAddress.Parse("239.255.47.80");
    private static readonly TimeSpan MinReplyGap = TimeSpan.FromSeconds(1);
    private readonly Func<Announcement> _self;
    private readonly int _port;
    private readonly TimeSpan _interval;
    private readonly NearbyList _nearby;
    private readonly Action<NearbyPeer> _sighted;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Socket _socket;
    private Task _loops = Task.CompletedTask;
    private long _lastReply;

    public LanDiscovery(Func<Announcement> self, int port, TimeSpan interval, NearbyList nearby, Action<NearbyPeer> sighted,
        TimeProvider time, ILoggerFactory loggerFactory)
    {
        _self = self;
        _port = port;
        _interval = interval;
        _nearby = nearby;
        _sighted = sighted;
        _time = time;
        _logger = loggerFactory.CreateLogger("Parley.Discovery");
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    }

    public void Start()
    {
        // Several nodes on one host (or a node and a test) share the port.
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.EnableBroadcast = true;
        _socket.MulticastLoopback = true;
        _socket.Bind(new IPEndPoint(IPAddress.Any, _port));
        foreach (var (index, _, _) in Interfaces())
        {
            try
            {
                _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(MulticastGroup, index));
            }
            catch (SocketException e)
            {
                DiscoveryLog.JoinFailed(_logger, index, e.Message);
            }
        }
        _loops = Task.WhenAll(Task.Run(ReceiveLoopAsync), Task.Run(AnnounceLoopAsync));
    }

    /// <summary>Up, multicast-capable IPv4 interfaces other than loopback: (index, address, broadcast address).</summary>
    private static IEnumerable<(int Index, IPAddress Address, IPAddress Broadcast)> Interfaces()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback || !nic.SupportsMulticast
                || nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
            {
                continue;
            }
            var properties = nic.GetIPProperties();
            var index = properties.GetIPv4Properties()?.Index ?? -1;
            foreach (var unicast in properties.UnicastAddresses.Where(u => u.Address.AddressFamily == AddressFamily.InterNetwork))
            {
                var address = unicast.Address.GetAddressBytes();
                var mask = unicast.IPv4Mask.GetAddressBytes();
                var broadcast = new byte[4];
                for (var i = 0; i < 4; i++)
                {
                    broadcast[i] = (byte)(address[i] | ~mask[i]);
                }
                yield return (index, unicast.Address, new IPAddress(broadcast));
            }
        }
    }

    private async Task AnnounceLoopAsync()
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            do
            {
                Announce();
            }
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Announce()
    {
        var datagram = _self().ToArray();
        foreach (var (index, _, broadcast) in Interfaces())
        {
            try
            {
                _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(index));
                _socket.SendTo(datagram, new IPEndPoint(MulticastGroup, _port));
                _socket.SendTo(datagram, new IPEndPoint(broadcast, _port));
            }
            catch (SocketException e)
            {
                DiscoveryLog.SendFailed(_logger, index, e.Message);
            }
        }
        _lastReply = _time.GetTimestamp();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[Announcement.MaxSize + 1];
        var self = _self().DeviceId;
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            if (!WireMessage.TryRead<Announcement>(buffer.AsMemory(0, result.ReceivedBytes), out var heard, out _) || heard.DeviceId == self)
            {
                continue;
            }
            var from = (IPEndPoint)result.RemoteEndPoint;
            var endpoint = new IPEndPoint(from.Address, heard.PeerPort);
            var isNew = _nearby.Update(heard.DeviceId, heard.Name, endpoint);
            if (isNew)
            {
                DiscoveryLog.Heard(_logger, heard.DeviceId.Short, heard.Name, endpoint.ToString());
                if (_time.GetElapsedTime(_lastReply) >= MinReplyGap)
                {
                    Announce(); // so the newcomer hears us now, not at our next tick
                }
            }
            _sighted(new NearbyPeer(heard.DeviceId, heard.Name, endpoint, _time.GetUtcNow()));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _loops.ConfigureAwait(false);
        _stopping.Dispose();
    }
}

internal static partial class DiscoveryLog
{
    [LoggerMessage(400, LogLevel.Information, "nearby: {Peer} ({Name}) at {Endpoint}")]
    public static partial void Heard(ILogger logger, string peer, string name, string endpoint);

    [LoggerMessage(401, LogLevel.Debug, "could not join the discovery group on interface {Index}: {Reason}")]
    public static partial void JoinFailed(ILogger logger, int index, string reason);

    [LoggerMessage(402, LogLevel.Debug, "could not announce on interface {Index}: {Reason}")]
    public static partial void SendFailed(ILogger logger, int index, string reason);
}
