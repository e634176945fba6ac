using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Rooms shared by a cluster's hubs through JetStream. Stream <c>PARLEY_ROOMS</c>: each room's log on
/// <c>parley.room.log.ROOM</c> (a <see cref="RoomEntry"/> a message; the subject's order is the room's:
/// every hub numbers the entries as it reads them, so two hubs never give one seq twice), sealed keys held for members on <c>parley.room.key.ROOM</c> and their
/// acknowledgements on <c>parley.room.keyack.ROOM</c>; kept as long as a single hub keeps its log.
/// Stream <c>PARLEY_ROOM_STATE</c>: every change to rooms, members, policies and invites
/// (<see cref="ClusterRoomChange"/>), kept. Every hub reads both from the start
/// (<see cref="ClusterRooms"/>.Reading) into its own store; key requests pass on the core subject
/// <c>parley.room.keyreq</c> to whichever hub the key's owner reads on.
/// </summary>
internal sealed partial class ClusterRooms(NatsCluster cluster, HubOptions options, ILogger logger) : IRoomLogShare, IRoomChangeShare, IAsyncDisposable
{
    private const string LogStream = "PARLEY_ROOMS";
    private const string StateStream = "PARLEY_ROOM_STATE";
    private const string LogPrefix = "parley.room.log.";
    private const string KeyPrefix = "parley.room.key.";
    private const string KeyAckPrefix = "parley.room.keyack.";
    private const string StatePrefix = "parley.roomstate.";
    private const string KeyRequests = "parley.room.keyreq";

    /// <summary>Changes, keys and acknowledgements waiting to be published, in order; past it one is dropped with a log line. 65,536.</summary>
    private const int MaxOutgoing = 65_536;

    private readonly Channel<(string Subject, byte[] Data)> _outgoing = Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(MaxOutgoing) { SingleReader = true });

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    /// <summary>Creates (or updates) both streams.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await cluster.JetStream.CreateOrUpdateStreamAsync(new StreamConfig(LogStream, [LogPrefix + ">", KeyPrefix + ">", KeyAckPrefix + ">"])
        {
            NumReplicas = cluster.Replicas,
            Storage = StreamConfigStorage.File,
            MaxAge = options.RoomLogMaxAge,
            MaxBytes = options.RoomLogMaxTotalBytes, // the oldest go past it (discard old), never the newest post
            MaxMsgSize = RoomEntry.MaxSize + 256,
        }, cancellationToken).ConfigureAwait(false);
        await cluster.JetStream.CreateOrUpdateStreamAsync(new StreamConfig(StateStream, [StatePrefix + ">"])
        {
            NumReplicas = cluster.Replicas,
            Storage = StreamConfigStorage.File,
            Discard = StreamConfigDiscard.New,
            MaxBytes = 1L << 30,
            MaxMsgSize = ClusterRoomChange.MaxSize + 256,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes the entry with a proposed seq (the room's next as this hub knows it); its number is given
    /// when read back, in stream order (<see cref="RoomLog.ApplyShared"/>), so concurrent appends from any
    /// hubs need no check between them and go out without waiting for each other.
    /// </summary>
    public async Task<ulong> AppendAsync(string room, RoomEntryKind kind, DeviceId sender, byte[] body, DateTimeOffset at)
    {
        var entry = new RoomEntry(room, (_log?.HeadOf(room) ?? 0) + 1, at, kind, sender, body).ToArray();
        // A NATS server lost mid-append (its ack with it) is survived by sending again to another; the message ID makes
        // the stream keep one copy (within its duplicate window) and answer the retry with the first one's sequence.
        var once = new NatsJSPubOpts { MsgId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) };
        NatsResult<PubAckResponse> ack;
        try
        {
            ack = await ClusterRetry.RunAsync(async cancel =>
            {
                var answer = await cluster.JetStream.TryPublishAsync(LogPrefix + room, entry, opts: once, cancellationToken: cancel).ConfigureAwait(false);
                // No answer comes back as a result, not a throw; a stream's refusal (an answer) is not tried again.
                return !answer.Success && answer.Error is NatsJSPublishNoResponseException unanswered ? throw unanswered : answer;
            }, TimeSpan.FromSeconds(5), logger, "room append").ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException || ClusterRetry.IsUnanswered(e))
        {
            ClusterLog.Failed(logger, "room append", e.GetType().Name);
            throw new InvalidOperationException("this hub lost its cluster store; try again");
        }
        if (ack.Success && ack.Value.Error is null)
        {
            return ack.Value.Seq;
        }
        ClusterLog.Failed(logger, "room append", ack.Success ? ack.Value.Error?.Description ?? "" : ack.Error.GetType().Name);
        throw new InvalidOperationException("the cluster could not store it; try again");
    }

    /// <summary>An entry read back: it must read, be a message or a notice, and be of the room its subject names.</summary>
    private RoomEntry? ReadEntry(string subject, ReadOnlySpan<byte> data)
    {
        if (data.Length > RoomEntry.MaxSize)
        {
            ClusterLog.Malformed(logger, "room entry", Shorten(subject), "too long");
            return null;
        }
        if (!WireMessage.TryRead<RoomEntry>(data.ToArray(), out var entry, out var error))
        {
            ClusterLog.Malformed(logger, "room entry", Shorten(subject), error);
            return null;
        }
        if (entry.Kind is not (RoomEntryKind.Message or RoomEntryKind.Notice) || subject != LogPrefix + entry.Room || entry.Seq == 0)
        {
            ClusterLog.Malformed(logger, "room entry", Shorten(subject), "not an entry of the room its subject names");
            return null;
        }
        return entry;
    }

    private static string Shorten(string text) => text.Length <= 96 ? text : text[..96];

    public void Changed(ClusterRoomOp op, string room, DeviceId device, string name, byte[] blob) =>
        Publish(StatePrefix + room, new ClusterRoomChange(cluster.Instance, op, room, device, name, blob).ToArray());

    public void HoldKey(RoomKey key, byte[] frame) => Publish(KeyPrefix + key.Room, frame);

    public void ReleaseKey(RoomKeyRef key) => Publish(KeyAckPrefix + key.Room, key.ToArray());

    /// <summary>A key request for an owner not reading on this hub: every hub hears it, the one the owner reads on passes it.</summary>
    public void PassKeyRequest(byte[] frame)
    {
        _ = cluster.Connection.PublishAsync(KeyRequests, frame).AsTask().ContinueWith(
            t => ClusterLog.Failed(logger, "room key request", t.Exception?.InnerException?.GetType().Name ?? ""), TaskContinuationOptions.OnlyOnFaulted);
    }

    private void Publish(string subject, byte[] data)
    {
        if (!_outgoing.Writer.TryWrite((subject, data)))
        {
            ClusterLog.Failed(logger, "room publish", $"{MaxOutgoing} waiting; dropped one on {subject}");
        }
    }

    /// <summary>Publishes changes and keys one at a time, in order, each tried until NATS takes it (or this hub stops).</summary>
    private async Task PublishAsync()
    {
        await foreach (var (subject, data) in _outgoing.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    var ack = await cluster.JetStream.TryPublishAsync(subject, data, cancellationToken: _stopping.Token).ConfigureAwait(false);
                    if (ack.Success && ack.Value.Error is null)
                    {
                        break;
                    }
                    ClusterLog.Failed(logger, "room publish", ack.Success ? ack.Value.Error?.Description ?? "" : ack.Error.GetType().Name);
                }
                catch (NatsException e)
                {
                    ClusterLog.Failed(logger, "room publish", e.GetType().Name);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), _stopping.Token).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var loop in _loops)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
        }
        _stopping.Dispose();
    }
}
