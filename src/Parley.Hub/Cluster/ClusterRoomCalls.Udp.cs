using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Parley.Core.Calls;
using Parley.Core.Hub.Cluster;
using Parley.Core.Net;

namespace Parley.Hub;

/// <summary>
/// The hub-to-hub half of room calls: one UDP socket (its own port, <see cref="Port"/>, in this hub's entries), and
/// per other hub a sealing key and counter for what goes there and an opening key and replay window for what comes
/// from there. A packet is checked in this order: its size and marker, a hub that has an entry in some call, that
/// hub's key's tag, the replay window; only then does the unit route it. Each drop is counted with the unit's.
/// </summary>
internal sealed partial class ClusterRoomCalls
{
    private sealed class Sender(byte[] key) : IDisposable
    {
        public readonly AesGcm Aes = new(key, RoomCallBridgePacket.TagSize);
        public readonly Lock Lock = new();

        public void Dispose() => Aes.Dispose();
    }

    /// <summary>
    /// The counter (and so the nonce) of every bridge packet this hub sends, to any hub: one for the hub's life, never
    /// reset. A pair's key is the same whenever it is derived again (a hub that left every call and came back), so a
    /// counter per sender, started again at 1, sealed new packets under nonces already used; and the receiver's replay
    /// window refused them as old.
    /// </summary>
    private long _sent;

    private sealed class Receiver(byte[] key) : IDisposable
    {
        public readonly AesGcm Aes = new(key, RoomCallBridgePacket.TagSize);
        public readonly ReplayWindow Replay = new();

        public void Dispose() => Aes.Dispose();
    }

    private readonly byte[] _secret;
    private readonly Socket _socket;
    private readonly Func<IReadOnlyList<IPEndPoint>> _endpoints;
    private readonly ConcurrentDictionary<ulong, Sender> _senders = new();

    /// <summary>Touched by the receive loop only (and swept of gone hubs by the refresh, which only removes).</summary>
    private readonly ConcurrentDictionary<ulong, Receiver> _receivers = new();

    /// <summary>Other hubs' opening keys and replay windows kept (each a hub instance that was in a call with this one). 1,024.</summary>
    private const int MaxReceivers = 1024;

    /// <summary>This hub's UDP port for other hubs' packets.</summary>
    public int Port { get; }

    /// <summary>This hub among the cluster's (what its bridge packets name as their sender).</summary>
    public ulong Instance => _cluster.Instance;

    public void Send(RoomCallHub hub, ReadOnlySpan<byte> packet)
    {
        var sender = _senders.GetOrAdd(hub.Instance, to => new Sender(RoomCallBridgePacket.DeriveKey(_secret, _cluster.Instance, to)));
        Span<byte> sealedPacket = stackalloc byte[RoomCallBridgePacket.MaxSize];
        int length;
        try
        {
            lock (sender.Lock)
            {
                length = RoomCallBridgePacket.Seal(sender.Aes, _cluster.Instance, hub.CallId, (ulong)Interlocked.Increment(ref _sent), packet, sealedPacket);
            }
        }
        catch (ObjectDisposedException)
        {
            return; // its hub left every call (or this hub is stopping) while this packet was on its way: dropped, as UDP may
        }
        try
        {
            _socket.SendTo(sealedPacket[..length], SocketFlags.None, hub.Endpoint);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // best effort, as UDP is
        }
    }

    /// <summary>The bridge socket's receive thread (<see cref="DatagramThread"/>; ends when the socket is disposed): each packet opened and forwarded where it woke it.</summary>
    private Task StartReceiving()
    {
        var hop = new byte[RoomCallBridgePacket.MaxSize];
        return DatagramThread.Start(_socket, "parley-hub-bridge", 2048, (datagram, _) =>
        {
            try
            {
                Take(datagram.Span, hop);
            }
            catch (ObjectDisposedException) when (!_stopping.IsCancellationRequested)
            {
                // a key disposed under this packet (its hub left every call): the packet is dropped, the loop goes on
            }
        });
    }

    private void Take(ReadOnlySpan<byte> packet, Span<byte> hop)
    {
        if (!RoomCallBridgePacket.TryReadHeader(packet, out var from, out var toCall, out var counter))
        {
            _unit.Count(RoomCallDrop.Malformed);
            return;
        }
        if (!IsKnown(from))
        {
            _unit.Count(RoomCallDrop.UnknownHub); // keys are derived only for hubs in some call: a stranger's instances cost nothing
            return;
        }
        if (_receivers.Count >= MaxReceivers && !_receivers.ContainsKey(from))
        {
            // A cluster's hubs restarted this many times: start over rather than grow (old packets may pass once). Only this
            // loop uses receivers, so they are disposed here safely.
            foreach (var old in _receivers.Values)
            {
                old.Dispose();
            }
            _receivers.Clear();
        }
        var receiver = _receivers.GetOrAdd(from, f => new Receiver(RoomCallBridgePacket.DeriveKey(_secret, f, _cluster.Instance)));
        var length = RoomCallBridgePacket.TryOpen(receiver.Aes, packet, hop);
        if (length == 0)
        {
            _unit.Count(RoomCallDrop.BadTag);
            return;
        }
        if (receiver.Replay.Check((long)counter) != ReplayWindow.Verdict.New)
        {
            _unit.Count(RoomCallDrop.Replayed);
            return;
        }
        receiver.Replay.Mark((long)counter);
        _unit.OnBridged(from, toCall, hop[..length]);
    }

    private bool IsKnown(ulong instance)
    {
        lock (_lock)
        {
            return _known.Keys.Any(k => k.Instance == instance);
        }
    }

    /// <summary>Keys of hubs no longer in any call go (a restarted hub is a new instance, with new keys and counters).</summary>
    private void ForgetPeers()
    {
        foreach (var instance in _senders.Keys.Concat(_receivers.Keys).Distinct().Where(i => !IsKnown(i)).ToList())
        {
            if (_senders.TryRemove(instance, out var sender))
            {
                lock (sender.Lock)
                {
                    sender.Dispose();
                }
            }
            // Receivers stay, with their replay windows: the hub may come back to a call, and a fresh window would take
            // its old packets again. Their number grows only by hubs that were in a call with this one (bounded below).
        }
    }

    private void DisposePeers()
    {
        foreach (var sender in _senders.Values)
        {
            sender.Dispose();
        }
        foreach (var receiver in _receivers.Values)
        {
            receiver.Dispose();
        }
    }
}
