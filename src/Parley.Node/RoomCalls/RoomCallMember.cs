using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Parley.Core.Hub.Relay;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Hub;

namespace Parley.Node.RoomCalls;

/// <summary>The hub refused to let us into a room's call (not a member, a limit), with its reason.</summary>
internal sealed class RoomCallRefusedException(string message) : RequestRefusedException(message, 409);

/// <summary>
/// This node in a room's call through its hub's forwarding unit: joins (the hub's grant: call,
/// participant ID, hop key), sends frame parts end-to-end encrypted under its own frame key and sealed
/// for the hop, and opens what the others send with the keys they sealed to our agreement key. A new
/// frame key goes to everyone whenever anyone joins or leaves (a leaver's keys are dropped at once).
/// What arrives waits in <see cref="Received"/> (bounded: the oldest go first when nobody reads).
/// </summary>
internal sealed partial class RoomCallMember(NodeIdentity identity, AgreementKey agreement, IHubChannel channel, VerifiedDirectory directory, TimeProvider time)
    : IHubClientFeature, IDisposable
{
    /// <summary>Frame parts kept for a reader that is behind. 4,096.</summary>
    public const int ReceivedCapacity = 4096;

    /// <summary>The UDP socket's receive buffer asked for (the kernel caps it at twice net.core.rmem_max). 1 MiB.</summary>
    private const int ReceiveBufferBytes = 1 << 20;

    /// <summary>Notices and keys kept while a join's grant is being handled. 256.</summary>
    public const int MaxEarly = 256;

    /// <summary>How often we show the hub where we are over UDP (NATs forget in 30 s or more). 10 s.</summary>
    public static readonly TimeSpan BindInterval = TimeSpan.FromSeconds(10);

    private readonly HubExchange<RoomCallJoined> _joins = new(channel, time, "the room call join");
    private readonly Channel<RoomCallMediaPart> _received = Channel.CreateBounded<RoomCallMediaPart>(
        new BoundedChannelOptions(ReceivedCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Lock _lock = new();

    /// <summary>Notices and keys that came before our grant was handled (the hub sends them right behind it), at most <see cref="MaxEarly"/>.</summary>
    private readonly Queue<object> _early = new();
    private RoomCallState? _call;
    private Socket? _udp;
    private CancellationTokenSource? _stop;
    private long _unopened;
    private long _staleKeys;
    private long _keyframeRequests;
    private long _resent;

    public IReadOnlyList<FrameSpec> Frames => RoomCallFrames.FromHub;

    /// <summary>The hub asks for a keyframe of our video (a receiver lost its footing, or someone joined). On the receive path: return at once.</summary>
    public event Action? KeyframeRequested;

    /// <summary>Someone joined or left our call (after our new frame key went out). Return at once.</summary>
    public event Action<RoomCallNotice>? ParticipantsChanged;

    /// <summary>We are out of the call: left, cut off, or the hub link lost. Return at once.</summary>
    public event Action<string>? Ended;

    public ChannelReader<RoomCallMediaPart> Received => _received.Reader;

    /// <summary>Our participant ID in the call we are in, if any.</summary>
    public ushort? Participant => _call?.Participant;

    /// <summary>The room whose call we are in, if any.</summary>
    public string? Room => _call?.Room;

    /// <summary>Packets that reached us but did not open (no key yet for them, a bad tag): counted, dropped.</summary>
    public long Unopened => Interlocked.Read(ref _unopened);

    /// <summary>Frame keys that came after two newer ones of the same sender (quick rejoins): dropped, as nothing under them is sent any more.</summary>
    public long StaleKeys => Interlocked.Read(ref _staleKeys);

    /// <summary>Packets dropped while waiting for their sender's key (in the call we are in).</summary>
    public long AwaitingKeyDropped
    {
        get
        {
            if (_call is not { } call)
            {
                return 0;
            }
            lock (call.Lock)
            {
                return call.AwaitingKey.Dropped;
            }
        }
    }

    /// <summary>Keyframe requests the hub passed us (one for all our receivers at a time).</summary>
    public long KeyframeRequests => Interlocked.Read(ref _keyframeRequests);

    /// <summary>Video packets sent again for the hub's NACKs.</summary>
    public long Resent => Interlocked.Read(ref _resent);

    /// <summary>The others in the call now, by device.</summary>
    public IReadOnlyList<DeviceId> Others()
    {
        var call = _call;
        if (call is null)
        {
            return [];
        }
        lock (call.Lock)
        {
            return [.. call.Others.Values];
        }
    }

    /// <summary>Our current frame key's ID (it changes on every join and leave).</summary>
    public byte? KeyId => _call?.MyKey?.KeyId;

    /// <summary>Joins (or starts) the room's call; a refusal throws <see cref="RoomCallRefusedException"/> with the hub's reason.</summary>
    public async Task JoinAsync(string room, RoomCallMedia media, CancellationToken cancellationToken = default)
    {
        Leave();
        var link = channel.RequireLink();
        var grant = await _joins.AskAsync(FrameType.RoomCallJoin, id => new RoomCallJoin(id, room, media), cancellationToken).ConfigureAwait(false);
        var call = new RoomCallState(room, grant, new IPEndPoint(link.RemoteEndPoint.Address, grant.UdpPort));
        var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // Several senders' keyframes can land at once (a join asks everyone for one): room for them while the loop catches up.
        udp.ReceiveBufferSize = ReceiveBufferBytes;
        udp.Bind(new IPEndPoint(IPAddress.Any, 0));
        var stop = new CancellationTokenSource();
        List<object> early;
        RoomCallState? overtaken;
        lock (_lock)
        {
            // Another join finished while ours waited for its grant: the hub has moved us into this one, so the
            // other's loops, socket and keys go now (unannounced: the caller serializes joins, this only stops a leak).
            overtaken = _call;
            _stop?.Cancel();
            _stop?.Dispose();
            _udp?.Dispose();
            (_call, _udp, _stop) = (call, udp, stop);
            Rekey(call);
            early = [.. _early];
            _early.Clear();
            // Who is in, set before the call is seen by the receive loop: their keys come on the link right behind the notices
            // naming them (the hub tells them of us first), often while this join is still being handled, and a key is taken
            // only from a participant we know. Set after, the first keys were refused and a participant's media stayed unreadable.
            foreach (var notice in early.OfType<RoomCallNotice>())
            {
                OnNotice(notice, rekey: false);
            }
        }
        if (overtaken is not null)
        {
            lock (overtaken.Lock)
            {
                overtaken.Dispose();
            }
        }
        _ = Task.Run(() => ReceiveLoopAsync(call, udp, stop.Token), CancellationToken.None);
        _ = Task.Run(() => BindLoopAsync(call, stop.Token), CancellationToken.None);
        _ = Task.Run(() => ReportLoopAsync(call, stop.Token), CancellationToken.None);
        foreach (var key in early.OfType<RoomCallKey>())
        {
            TakeKey(key);
        }
        HandKeysSoon(call);
    }

    /// <summary>Leaves the call (if in one): the hub tells the others at once.</summary>
    public void Leave()
    {
        RoomCallState? call;
        lock (_lock)
        {
            call = _call;
            if (call is null)
            {
                return;
            }
            channel.TrySend(FrameType.RoomCallLeave, new RoomCallLeave(call.CallId));
        }
        Drop(call, "left the call");
    }

    /// <summary>Forgets the call: stops the loops and frees its keys.</summary>
    private void Drop(RoomCallState call, string reason)
    {
        lock (_lock)
        {
            if (_call != call)
            {
                return;
            }
            _stop?.Cancel();
            _stop?.Dispose();
            _udp?.Dispose();
            (_call, _udp, _stop) = (null, null, null);
        }
        lock (call.Lock)
        {
            call.Dispose();
        }
        Ended?.Invoke(reason);
    }

    private async Task BindLoopAsync(RoomCallState call, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Send(call, RoomCallHopKind.Bind, 0, RoomCallHopFlags.None, 0, []);
                // Alone in the call, every second: the first bind may be lost, and until the hub has one it sends us packets over the link.
                bool alone;
                lock (call.Lock)
                {
                    alone = call.Others.Count == 0;
                }
                await Task.Delay(alone ? TimeSpan.FromSeconds(1) : BindInterval, time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.RoomCallJoined:
                var grant = frame.Read<RoomCallJoined>();
                _joins.TryAnswer(grant.RequestId, grant);
                break;
            case FrameType.RoomCallRefused:
                var refused = frame.Read<RelayRefused>();
                _joins.Refuse(refused.RequestId, new RoomCallRefusedException(refused.Reason));
                break;
            case FrameType.RoomCallNotice:
                var notice = frame.Read<RoomCallNotice>();
                if (!KeepIfEarly(notice, notice.CallId))
                {
                    OnNotice(notice, rekey: true);
                }
                break;
            case FrameType.RoomCallPacket:
                if (_call is { } call)
                {
                    Open(call, frame.Read<RoomCallPacket>().Bytes);
                }
                break;
            case FrameType.RoomCallKey:
                var key = frame.Read<RoomCallKey>();
                if (!KeepIfEarly(key, key.CallId))
                {
                    TakeKey(key);
                }
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Keeps a notice or key for a call we are not in yet (a join waiting for its grant); true when kept or not ours.</summary>
    private bool KeepIfEarly(object message, uint callId)
    {
        lock (_lock)
        {
            if (_call is { } call && call.CallId == callId)
            {
                return false;
            }
            if (_early.Count >= MaxEarly)
            {
                _early.Dequeue();
            }
            _early.Enqueue(message);
            return true;
        }
    }

    /// <summary>The hub took us out of the call with the link: forget it (a new join starts afresh).</summary>
    public void OnHubLost()
    {
        _joins.FailAll();
        if (_call is { } call)
        {
            Drop(call, "the link to the hub was lost");
        }
    }

    public void OnHubChanged(Invite? hub)
    {
        if (_call is { } call)
        {
            Drop(call, "this node moved to another hub");
        }
    }

    public void Dispose()
    {
        if (_call is { } call)
        {
            Drop(call, "the node stopped");
        }
    }
}
