using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using Parley.Core.Hub.Cluster;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Room calls across the hubs of a cluster. Each hub runs the call for its own members
/// (<see cref="RoomCallUnit"/>); this bridge shares who is in it here as a <see cref="ClusterRoomCall"/> in the
/// KV bucket <c>parley-room-calls</c> (key <c>INSTANCE.ROOM</c>, put on every change, refreshed a third of the
/// TTL, deleted when the last one here leaves), watches the other hubs' entries into the unit (their participants
/// are told to ours as joins and leaves), passes sealed frame keys to participants elsewhere on the NATS subject
/// <c>parley.roomcall.INSTANCE</c> of their hub, and carries media, NACKs and keyframe requests between hubs
/// over UDP (<see cref="RoomCallBridgePacket"/>, <c>.Udp</c>): a hub sends each of its own participants' packets
/// once to each other hub in the call, never through NATS. Since NATS 2.9 tells no one when a key ages out, an
/// entry not refreshed within the TTL is taken as gone (a hub killed: its participants leave within the TTL).
/// Entries and keys carry the cluster's seal (<see cref="ClusterEntrySeal"/>): one written by whoever holds NATS
/// credentials but not the cluster identity is dropped and counted (<see cref="Unsealed"/>).
/// </summary>
internal sealed partial class ClusterRoomCalls : IRoomCallBridge, IAsyncDisposable
{
    /// <summary>Keys held while their sender's hub entry has not come yet (it races them): at most this many, for <see cref="ParkedFor"/>. 256.</summary>
    private const int MaxParked = 256;

    /// <summary>
    /// Keys waiting to be published to other hubs: at most this many. A participant's key handing retries (1, 2, 4, then
    /// every 8 s) until acknowledged, so one dropped here is sent again; the queue cannot grow with a flood of joins. 1,024.
    /// </summary>
    private const int MaxQueuedKeys = 1024;

    /// <summary>
    /// How long a key waits for its sender: the TTL, longer than the sender's hub takes to write its entry again (a third
    /// of it), for the entry may come first yet leave the sender out while this hub has not read its room membership.
    /// </summary>
    private TimeSpan ParkedFor => _ttl;

    private sealed record Heard(ClusterRoomCall Entry, DateTimeOffset At);

    private readonly NatsCluster _cluster;
    private readonly RoomCallUnit _unit;
    private readonly ClusterEntrySeal _seal;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Lock _retrying = new();
    private readonly Dictionary<(string Room, ulong Instance), Heard> _known = [];
    private readonly HashSet<string> _dirty = [];
    private readonly HashSet<string> _shared = [];
    private readonly List<(ClusterRoomCallKey Key, long At)> _parked = [];
    private readonly Channel<string> _changes = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<(ulong Instance, ClusterRoomCallKey Key)> _keys =
        Channel.CreateBounded<(ulong, ClusterRoomCallKey)>(new BoundedChannelOptions(MaxQueuedKeys) { SingleReader = true });
    private long _keysDropped;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _refresh;
    private readonly Task[] _loops;

    public ClusterRoomCalls(NatsCluster cluster, RoomCallUnit unit, byte[] secret, IPAddress bindAddress, Func<IReadOnlyList<IPEndPoint>> ownAddresses,
        TimeSpan ttl, TimeProvider time, ILogger logger)
    {
        _cluster = cluster;
        _unit = unit;
        _ttl = ttl;
        _time = time;
        _logger = logger;
        _secret = secret;
        _seal = new ClusterEntrySeal(secret);
        _socket = new Socket(bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = StunResponder.ReceiveBuffer };
        _socket.Bind(new IPEndPoint(bindAddress, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        // A hub bound to one address is reached there; one bound to all, at the addresses of its invite.
        _endpoints = bindAddress.Equals(IPAddress.Any) || bindAddress.Equals(IPAddress.IPv6Any)
            ? () => [.. ownAddresses().Select(a => new IPEndPoint(a.Address, Port)).Take(Core.Identity.Invite.MaxAddresses)]
            : () => [new IPEndPoint(bindAddress, Port)];
        unit.Bridge = this;
        _refresh = time.CreateTimer(_ => Refresh(), null, ttl / 3, ttl / 3);
        _loops = [Task.Run(WatchAsync), Task.Run(WriteAsync), Task.Run(TakeKeysAsync), Task.Run(PublishKeysAsync), StartReceiving()];
    }

    private long _unsealed;

    /// <summary>Entries and keys read from NATS without the cluster's seal (written by something holding NATS credentials, not the cluster identity): dropped.</summary>
    public long Unsealed => Interlocked.Read(ref _unsealed);

    private string Key(string room) => $"{_cluster.Instance:x16}.{room}";

    private string Subject(ulong instance) => $"parley.roomcall.{instance:x16}";

    public void Changed(string room)
    {
        lock (_lock)
        {
            if (!_dirty.Add(room))
            {
                return; // already waiting to be written: the writer reads the call as it is then
            }
        }
        _changes.Writer.TryWrite(room);
    }

    public IReadOnlyList<ClusterRoomCall> Known(string room)
    {
        lock (_lock)
        {
            return [.. _known.Where(k => k.Key.Room == room).Select(k => k.Value.Entry)];
        }
    }

    public void Recheck(string room)
    {
        foreach (var entry in Known(room))
        {
            _unit.SetRemote(room, entry.Instance, entry);
        }
        RetryParked();
    }

    /// <summary>Keys not published because <see cref="MaxQueuedKeys"/> were already waiting (their senders hand them again).</summary>
    public long KeysDropped => Interlocked.Read(ref _keysDropped);

    public void PassKey(RoomCall call, ushort sender, RoomCallRemote recipient, byte[] sealedKey)
    {
        if (!_keys.Writer.TryWrite((recipient.Hub.Instance, new ClusterRoomCallKey(_cluster.Instance, call.Id, recipient.Hub.CallId, sender, recipient.OriginId, sealedKey))))
        {
            Interlocked.Increment(ref _keysDropped);
        }
    }

    /// <summary>Publishes queued keys one after another (core NATS: a publish is buffered by the connection, not a round trip).</summary>
    private async Task PublishKeysAsync()
    {
        try
        {
            await foreach (var (instance, key) in _keys.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    var subject = Subject(instance);
                    await _cluster.Connection.PublishAsync(subject, _seal.Seal(subject, key.ToArray()), cancellationToken: _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!_stopping.IsCancellationRequested)
                {
                    // Any failure costs this one key (its sender hands it again), never the loop: the keys after it still go.
                    ClusterLog.Failed(_logger, "room call key", e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Writes this hub's entries, one change at a time and in order: a put for a call with participants here, else a delete.</summary>
    private async Task WriteAsync()
    {
        try
        {
            await foreach (var room in _changes.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                lock (_lock)
                {
                    _dirty.Remove(room);
                }
                await WriteAsync(room).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WriteAsync(string room)
    {
        var call = _unit.CallIn(room);
        var here = call?.Participants ?? [];
        var endpoints = _endpoints();
        try
        {
            if (here.Length > 0 && endpoints.Count > 0)
            {
                var entry = new ClusterRoomCall(_cluster.Instance, room, call!.Id, endpoints,
                    [.. here.Take(ClusterRoomCall.MaxParticipants).Select(p => new ClusterRoomCallParticipant(p.Id, p.Device, p.Media))]);
                await _cluster.RoomCalls.PutAsync(Key(room), _seal.Seal(Key(room), entry.ToArray()), cancellationToken: _stopping.Token).ConfigureAwait(false);
                lock (_lock)
                {
                    _shared.Add(room);
                }
            }
            else if (Unshare(room))
            {
                await _cluster.RoomCalls.DeleteAsync(Key(room), cancellationToken: _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            ClusterLog.Failed(_logger, "room call share", e.GetType().Name); // the next refresh writes it again
        }
    }

    private bool Unshare(string room)
    {
        lock (_lock)
        {
            return _shared.Remove(room);
        }
    }

    /// <summary>Every third of the TTL: this hub's entries written again, others' not heard within the TTL dropped, keys parked too long dropped.</summary>
    private void Refresh()
    {
        List<string> mine;
        List<(string Room, ulong Instance)> stale;
        var before = _time.GetUtcNow() - _ttl;
        // Read before taking our lock: the unit's join holds its lock while it asks us (Known), so the two locks are
        // never taken in the other order.
        var calls = _unit.Rooms;
        lock (_lock)
        {
            mine = [.. _shared.Union(calls)]; // the calls here too: a write that failed while NATS was away is done again
            stale = [.. _known.Where(k => k.Value.At < before).Select(k => k.Key)];
            var old = _time.GetTimestamp() - (long)(ParkedFor.TotalSeconds * _time.TimestampFrequency);
            _parked.RemoveAll(p => p.At < old);
        }
        foreach (var (room, instance) in stale)
        {
            Forget(room, instance, heardBefore: before);
        }
        foreach (var room in mine)
        {
            Changed(room);
        }
        ForgetPeers();
    }

    /// <summary>Drops another hub's entry (deleted, or, with <paramref name="heardBefore"/>, only if not heard again since then).</summary>
    private void Forget(string room, ulong instance, DateTimeOffset? heardBefore = null)
    {
        lock (_lock)
        {
            // A put that came after the refresh listed this entry as stale keeps it (else a leave, a rejoin and a rekey for nothing).
            if (heardBefore is { } limit && _known.TryGetValue((room, instance), out var heard) && heard.At >= limit)
            {
                return;
            }
            _known.Remove((room, instance));
        }
        _unit.SetRemote(room, instance, null);
    }

    private async Task WatchAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await foreach (var entry in _cluster.RoomCalls.WatchAsync<byte[]>(cancellationToken: _stopping.Token).ConfigureAwait(false))
                {
                    OnEntry(entry.Key, entry.Operation, entry.Value, entry.Revision);
                }
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                ClusterLog.Failed(_logger, "room call watch", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Another hub's entry, read as untrusted bytes: its key must name the hub and room its value does.</summary>
    private void OnEntry(string key, NatsKVOperation operation, byte[]? value, ulong revision)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot != 16 || !ulong.TryParse(key.AsSpan(0, 16), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var instance)
            || !Core.Hub.Rooms.RoomNames.IsValid(key[(dot + 1)..]))
        {
            ClusterLog.Malformed(_logger, "room call entry", key.Length <= 64 ? key : key[..64], "not INSTANCE.ROOM");
            return;
        }
        var room = key[(dot + 1)..];
        if (instance == _cluster.Instance)
        {
            return;
        }
        if (operation != NatsKVOperation.Put)
        {
            Forget(room, instance);
            return;
        }
        if (!_seal.TryOpen(key, value ?? [], out var opened))
        {
            Interlocked.Increment(ref _unsealed);
            ClusterLog.Malformed(_logger, "room call entry", key, "not sealed with the cluster's key");
            return;
        }
        if (!WireMessage.TryRead<ClusterRoomCall>(opened, out var entry, out var error) || entry.Instance != instance || entry.Room != room)
        {
            ClusterLog.Malformed(_logger, "room call entry", key, entry is null ? error : "its value names another hub or room");
            return;
        }
        entry = entry with { Revision = revision };
        lock (_lock)
        {
            _known[(room, instance)] = new Heard(entry, _time.GetUtcNow());
        }
        _unit.SetRemote(room, instance, entry);
        RetryParked();
    }

    private async Task TakeKeysAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await foreach (var message in _cluster.Connection.SubscribeAsync<byte[]>(Subject(_cluster.Instance), cancellationToken: _stopping.Token)
                    .ConfigureAwait(false))
                {
                    if (!_seal.TryOpen(message.Subject, message.Data ?? [], out var opened))
                    {
                        Interlocked.Increment(ref _unsealed);
                        ClusterLog.Malformed(_logger, "room call key", "-", "not sealed with the cluster's key");
                        continue;
                    }
                    if (!WireMessage.TryRead<ClusterRoomCallKey>(opened, out var key, out var error))
                    {
                        ClusterLog.Malformed(_logger, "room call key", "-", error);
                        continue;
                    }
                    if (!_unit.OnRemoteKey(key))
                    {
                        Park(key);
                        RetryParked(); // its sender's entry may have come between the two: nothing else would pass it
                    }
                }
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                ClusterLog.Failed(_logger, "room call key subscription", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>A key whose sender this hub has not heard of yet (the sender's hub entry and its key race over NATS): held a moment.</summary>
    private void Park(ClusterRoomCallKey key)
    {
        lock (_lock)
        {
            if (_parked.Count < MaxParked)
            {
                _parked.Add((key, _time.GetTimestamp()));
            }
        }
    }

    private void RetryParked()
    {
        // One retry at a time (the unit never takes this lock): a retry that took the keys out cannot put one back after
        // another retry, for an entry that came meanwhile, found none to pass.
        lock (_retrying)
        {
            List<(ClusterRoomCallKey Key, long At)> parked;
            lock (_lock)
            {
                parked = [.. _parked];
                _parked.Clear();
            }
            // Held again with the time it came, so a key whose sender never shows goes after ParkedFor however many entries come.
            var still = parked.Where(p => !_unit.OnRemoteKey(p.Key)).ToList();
            lock (_lock)
            {
                _parked.AddRange(still.Take(MaxParked - _parked.Count));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_unit.Bridge == this)
        {
            _unit.Bridge = null; // the unit stops sending to other hubs before the socket and keys go
        }
        await _refresh.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        List<string> mine;
        lock (_lock)
        {
            mine = [.. _shared];
        }
        foreach (var room in mine)
        {
            try
            {
                // Leaving on purpose: the others' participants hear at once rather than after the TTL.
                await _cluster.RoomCalls.DeleteAsync(Key(room)).AsTask().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                ClusterLog.Failed(_logger, "room call leave", e.GetType().Name);
            }
        }
        DisposePeers();
        _stopping.Dispose();
    }
}
