using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Parley.Core.Traversal;

/// <summary>
/// The TURN server side (RFC 8656 over UDP) of one allocation made by the local page's WebRTC engine,
/// for a call on <see cref="Calls.CallEngines.WebRtc"/>: the page is told to use only relayed
/// candidates from the node (<c>turn:127.0.0.1:port</c>), so every packet it sends reaches the node,
/// which carries it to the peer's node inside the call's media session; the peer's packets come back
/// as Data indications or ChannelData. The relayed address is a name, not a socket: the node never
/// sends to it, it only tells the two pages apart. Socket-free: the node's page TURN socket feeds
/// datagrams in and sends what comes out.
/// Only what Chromium's TURN client uses is spoken: Allocate, Refresh, CreatePermission, ChannelBind,
/// Send indications, ChannelData, and Binding (keep-alives). Anything else gets no answer.
/// <see cref="Handle"/> runs on the page TURN socket's thread and <see cref="ToPage"/> on the media
/// session's, so the channel maps they share are read and written under one lock.
/// Lifetimes follow RFC 8656 §7: an allocation lives <see cref="LifetimeSeconds"/> from its Allocate or last Refresh,
/// and a Refresh with lifetime 0 ends it; <see cref="Idle"/> lets the socket evict one whose page went quiet.
/// </summary>
public sealed class PageTurnAllocation(string username, string password, IPEndPoint relayed, TimeProvider? time = null)
{
    public const string Realm = "parley";
    private const ushort Binding = 0x0001;
    private const ushort ClassMask = 0x0110;
    private const ushort Request = 0x0000;
    private const ushort Indication = 0x0010;
    private const ushort Success = 0x0100;
    private const ushort Error = 0x0110;
    private const uint LifetimeSeconds = 600;

    /// <summary>Channels a page binds (it binds one per peer it talks to): more is a page gone wrong.</summary>
    private const int MaxChannels = 16;
    private static readonly byte[] s_nonce = Encoding.ASCII.GetBytes(Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)));
    private readonly byte[] _key = StunIntegrity.LongTermKey(username, Realm, password);
    private readonly Dictionary<ushort, IPEndPoint> _channels = [];
    private readonly Dictionary<IPEndPoint, ushort> _channelOf = [];
    private readonly Lock _channelsGate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _expiresAt = After(time, LifetimeSeconds);
    private long _lastHeard = After(time, 0);

    public string Username => username;

    /// <summary>The address the page believes its packets leave from (its relayed candidate).</summary>
    public IPEndPoint Relayed => relayed;

    /// <summary>The page released the allocation (a Refresh with lifetime 0).</summary>
    public bool Released { get; private set; }

    /// <summary>Released, or its lifetime ran out with no Refresh (RFC 8656 §7.3): the place it held is free.</summary>
    public bool IsExpired => Released || _time.GetTimestamp() >= Interlocked.Read(ref _expiresAt);

    /// <summary>How long since the page last sent anything to this allocation (ICE consent checks come every few seconds while it lives).</summary>
    public TimeSpan Idle => _time.GetElapsedTime(Interlocked.Read(ref _lastHeard));

    /// <summary>The USERNAME of a STUN request, to find the call it belongs to; null for anything else.</summary>
    public static string? UsernameOf(ReadOnlySpan<byte> datagram) =>
        StunMessage.TryParse(datagram, out var message) && (message.Type & ClassMask) == Request && message.TryGet(StunAttribute.Username, out var name)
            ? Encoding.UTF8.GetString(name) : null;

    /// <summary>Whether <paramref name="datagram"/> is a request signed with this allocation's user and key (what may create it).</summary>
    public bool IsSignedBy(ReadOnlySpan<byte> datagram) =>
        StunMessage.TryParse(datagram, out var message) && (message.Type & ClassMask) == Request && IsSigned(message);

    private bool IsSigned(in StunMessage message) =>
        message.TryGet(StunAttribute.Username, out var name) && name.SequenceEqual(Encoding.UTF8.GetBytes(username)) && StunIntegrity.Verify(message, _key);

    /// <summary>
    /// The answer to a request from someone with no allocation yet (no or unknown credentials):
    /// 401 with the realm and nonce to sign with, which is how every TURN client begins. Null for non-requests.
    /// </summary>
    public static byte[]? Challenge(ReadOnlySpan<byte> datagram)
    {
        if (!StunMessage.TryParse(datagram, out var message) || (message.Type & ClassMask) != Request)
        {
            return null;
        }
        return new StunMessageBuilder((ushort)(message.Type | Error), message.TransactionId)
            .Add(StunAttribute.ErrorCode, ErrorValue(401, "Unauthorized"))
            .Add(StunAttribute.Realm, Realm)
            .Add(StunAttribute.Nonce, s_nonce)
            .AddFingerprint()
            .ToArray();
    }

    /// <summary>
    /// Handles one datagram from the page. <paramref name="reply"/>: what to send back to the page.
    /// <paramref name="toPeer"/>: a datagram for the peer (the relayed address it was sent to, and its bytes).
    /// Anything malformed or not signed with this allocation's key is dropped (both null).
    /// </summary>
    public void Handle(ReadOnlySpan<byte> datagram, IPEndPoint from, out byte[]? reply, out (IPEndPoint Peer, byte[] Data)? toPeer)
    {
        reply = null;
        toPeer = null;
        Interlocked.Exchange(ref _lastHeard, _time.GetTimestamp());
        if (TurnMessages.TryReadChannelData(datagram, out var channel, out var data))
        {
            lock (_channelsGate)
            {
                if (_channels.TryGetValue(channel, out var bound))
                {
                    toPeer = (bound, data.ToArray());
                }
            }
            return;
        }
        if (!StunMessage.TryParse(datagram, out var message))
        {
            return;
        }
        var kind = (ushort)(message.Type & ClassMask);
        var method = (ushort)(message.Type & ~ClassMask);
        if (kind == Indication && method == (TurnMessages.SendIndication & ~ClassMask))
        {
            // Indications carry no integrity (RFC 8656 §11): the socket only takes them from the page that allocated.
            if (message.TryGet(StunAttribute.XorPeerAddress, out var peerValue) && StunAddress.TryReadXor(peerValue, message.TransactionId, out var peer)
                && message.TryGet(StunAttribute.Data, out var payload))
            {
                toPeer = (peer, payload.ToArray());
            }
            return;
        }
        if (kind != Request)
        {
            return;
        }
        if (method == Binding)
        {
            reply = new StunMessageBuilder((ushort)(Binding | Success), message.TransactionId).AddXorAddress(StunAttribute.XorMappedAddress, from).AddFingerprint().ToArray();
            return;
        }
        if (!IsSigned(message))
        {
            reply = Challenge(datagram);
            return;
        }
        var response = new StunMessageBuilder((ushort)(method | Success), message.TransactionId);
        switch (method)
        {
            case TurnMessages.Allocate:
                response.AddXorAddress(StunAttribute.XorRelayedAddress, relayed).AddXorAddress(StunAttribute.XorMappedAddress, from)
                    .AddUInt32(StunAttribute.Lifetime, LifetimeSeconds);
                LiveFor(LifetimeSeconds);
                break;
            case TurnMessages.Refresh:
                var asked = message.TryGet(StunAttribute.Lifetime, out var value) && value.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(value) : LifetimeSeconds;
                var granted = Math.Min(asked, LifetimeSeconds);
                Released |= granted == 0;
                LiveFor(granted);
                response.AddUInt32(StunAttribute.Lifetime, granted);
                break;
            case TurnMessages.CreatePermission:
                break; // every peer address names the one peer of the call: nothing to remember
            case TurnMessages.ChannelBind when TryBind(message):
                break;
            default:
                reply = new StunMessageBuilder((ushort)(method | Error), message.TransactionId)
                    .Add(StunAttribute.ErrorCode, ErrorValue(400, "Bad Request")).AddIntegrity(_key).AddFingerprint().ToArray();
                return;
        }
        reply = response.AddIntegrity(_key).AddFingerprint().ToArray();
    }

    private void LiveFor(uint seconds) => Interlocked.Exchange(ref _expiresAt, After(_time, seconds));

    private static long After(TimeProvider? time, uint seconds)
    {
        var clock = time ?? TimeProvider.System;
        return clock.GetTimestamp() + (seconds * clock.TimestampFrequency);
    }

    /// <summary>A datagram from the peer's page (sent from its relayed address <paramref name="peer"/>), as this page's TURN client takes it.</summary>
    public byte[] ToPage(IPEndPoint peer, ReadOnlySpan<byte> data)
    {
        ushort channel;
        bool bound;
        lock (_channelsGate)
        {
            bound = _channelOf.TryGetValue(peer, out channel);
        }
        if (bound)
        {
            var framed = new byte[TurnMessages.ChannelHeaderSize + data.Length];
            TurnMessages.WriteChannelData(framed, channel, data);
            return framed;
        }
        return new StunMessageBuilder(TurnMessages.DataIndication, capacity: data.Length + 64)
            .AddXorAddress(StunAttribute.XorPeerAddress, peer).Add(StunAttribute.Data, data).ToArray();
    }

    private bool TryBind(in StunMessage message)
    {
        if (!message.TryGet(StunAttribute.ChannelNumber, out var number) || number.Length != 4
            || !message.TryGet(StunAttribute.XorPeerAddress, out var peerValue) || !StunAddress.TryReadXor(peerValue, message.TransactionId, out var peer))
        {
            return false;
        }
        var channel = BinaryPrimitives.ReadUInt16BigEndian(number);
        lock (_channelsGate)
        {
            if (channel is < TurnMessages.FirstChannel or > TurnMessages.LastChannel || (_channels.Count >= MaxChannels && !_channels.ContainsKey(channel)))
            {
                return false;
            }
            // RFC 8656 §12.2: a channel bound to another peer, or a peer bound to another channel, is refused (400);
            // binding the same pair again refreshes it. The two maps stay each other's inverse.
            if ((_channels.TryGetValue(channel, out var before) && !before.Equals(peer))
                || (_channelOf.TryGetValue(peer, out var other) && other != channel))
            {
                return false;
            }
            _channels[channel] = peer;
            _channelOf[peer] = channel;
            return true;
        }
    }

    /// <summary>ERROR-CODE's value (RFC 8489 §14.8): class and number, then the reason.</summary>
    private static byte[] ErrorValue(int code, string reason)
    {
        var text = Encoding.UTF8.GetBytes(reason);
        var value = new byte[4 + text.Length];
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        text.CopyTo(value, 4);
        return value;
    }
}
