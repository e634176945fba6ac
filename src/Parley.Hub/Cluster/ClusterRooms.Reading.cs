using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.Rooms;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Reading the rooms' streams back: every hub reads both from the start into its own store (what it has
/// is skipped by seq, changes are made once), so a hub that comes or comes back holds every room. What
/// it reads is untrusted: each message is checked (<see cref="ClusterRooms"/>.ReadEntry, TryRead under its
/// cap) and skipped with a log line if bad.
/// </summary>
internal sealed partial class ClusterRooms
{
    /// <summary>Log entries applied in one go (one transaction in the hub's store). 256.</summary>
    private const int MaxApplied = 256;

    private RoomLog? _log;
    private HubRooms? _rooms;
    private TimeProvider _time = TimeProvider.System;

    /// <summary>Starts sharing <paramref name="rooms"/> and <paramref name="log"/> with the other hubs: publishing this hub's changes, reading everyone's.</summary>
    public void Attach(HubRooms rooms, RoomLog log, RoomsFeature feature, TimeProvider time)
    {
        (_rooms, _log, _time) = (rooms, log, time);
        rooms.Shared = this;
        log.Share = this;
        feature.KeyRequestsElsewhere = PassKeyRequest;
        _loops.Add(Task.Run(PublishAsync));
        _loops.Add(Task.Run(() => ReadAsync(StateStream, ApplyState)));
        _loops.Add(Task.Run(() => ReadAsync(LogStream, ApplyLog)));
        _loops.Add(Task.Run(PassKeyRequestsAsync));
    }

    /// <summary>How often a stream's reader is checked for being stuck. 5 s.</summary>
    private static readonly TimeSpan StuckCheck = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Reads <paramref name="stream"/> in order from its start, again after the last message applied when NATS fails
    /// under it, or when the reader stops moving while the stream grows (<see cref="WatchProgressAsync"/>).
    /// </summary>
    private async Task ReadAsync(string stream, Func<IReadOnlyList<INatsJSMsg<byte[]>>, ulong> apply)
    {
        long applied = 0;
        var batch = new List<INatsJSMsg<byte[]>>(MaxApplied);
        while (!_stopping.IsCancellationRequested)
        {
            using var stuck = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var watchdog = WatchProgressAsync(stream, () => (ulong)Interlocked.Read(ref applied), stuck);
            try
            {
                var from = applied == 0 ? new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.All }
                    : new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq = (ulong)applied + 1 };
                var consumer = await cluster.JetStream.CreateOrderedConsumerAsync(stream, from, stuck.Token).ConfigureAwait(false);
                await foreach (var message in consumer.ConsumeAsync<byte[]>(cancellationToken: stuck.Token).ConfigureAwait(false))
                {
                    batch.Add(message);
                    if (batch.Count >= MaxApplied || message.Metadata?.NumPending is null or 0)
                    {
                        Interlocked.Exchange(ref applied, (long)Math.Max((ulong)applied, apply(batch)));
                        batch.Clear();
                    }
                }
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                // Stuck: after a NATS server's SIGKILL, NATS 2.9 can leave the consumer on the dead server for over a
                // minute while the stream goes on growing (the room post never reached this hub's members). A new one
                // from the last message applied is placed on a live server.
                ClusterLog.Failed(logger, $"reading {stream}", "no message for 10 s while the stream grew; reading again from " + (applied + 1));
                batch.Clear();
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is NatsException or TimeoutException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
            {
                // The store's failures too: what was read but not applied is read again.
                ClusterLog.Failed(logger, $"reading {stream}", e.Message);
                batch.Clear();
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await stuck.CancelAsync().ConfigureAwait(false);
                await watchdog.ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Cancels <paramref name="stuck"/> when two checks in a row (<see cref="StuckCheck"/> apart) find the stream's
    /// last message beyond what the reader has applied and the reader not moved since the check before. The stream's
    /// info answers from its leader, wherever the consumer was put; a check that fails counts for nothing.
    /// </summary>
    private async Task WatchProgressAsync(string stream, Func<ulong> applied, CancellationTokenSource stuck)
    {
        var (seen, strikes) = (applied(), 0);
        try
        {
            while (true)
            {
                await Task.Delay(StuckCheck, _time, stuck.Token).ConfigureAwait(false);
                var now = applied();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stuck.Token);
                timeout.CancelAfter(StuckCheck);
                ulong last;
                try
                {
                    last = (await cluster.JetStream.GetStreamAsync(stream, cancellationToken: timeout.Token).ConfigureAwait(false)).Info.State.LastSeq;
                }
                catch (Exception e) when (e is NatsException or TimeoutException || (e is OperationCanceledException && !stuck.IsCancellationRequested))
                {
                    continue; // NATS itself failing over: the consumer's own errors restart the reader
                }
                strikes = now == seen && last > now ? strikes + 1 : 0;
                seen = now;
                if (strikes >= 2)
                {
                    await stuck.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the reader ended, or was restarted
        }
    }

    /// <summary>Log entries, sealed keys and acknowledgements, in stream order; returns the last stream sequence applied.</summary>
    private ulong ApplyLog(IReadOnlyList<INatsJSMsg<byte[]>> messages)
    {
        var entries = new List<(StoredEntry, ulong)>(messages.Count);
        ulong last = 0;
        foreach (var message in messages)
        {
            var streamSeq = message.Metadata?.Sequence.Stream ?? 0;
            last = Math.Max(last, streamSeq);
            var data = message.Data ?? [];
            if (message.Subject.StartsWith(LogPrefix, StringComparison.Ordinal))
            {
                if (ReadEntry(message.Subject, data) is { } entry)
                {
                    entries.Add((new StoredEntry(entry.Room, entry.Seq, entry.At, entry.Kind, entry.Sender, entry.Body), streamSeq));
                }
                continue;
            }
            // Keys and acknowledgements come after the entries before them, as published.
            _log!.ApplyShared(entries);
            entries.Clear();
            if (message.Subject.StartsWith(KeyPrefix, StringComparison.Ordinal) && Read<RoomKey>(message.Subject, data) is { } key
                && message.Subject == KeyPrefix + key.Room)
            {
                _log.ApplyHeldKey(key, data);
            }
            else if (message.Subject.StartsWith(KeyAckPrefix, StringComparison.Ordinal) && Read<RoomKeyRef>(message.Subject, data) is { } ack
                && message.Subject == KeyAckPrefix + ack.Room)
            {
                _log.ApplyReleasedKey(ack);
            }
        }
        _log!.ApplyShared(entries);
        return last;
    }

    /// <summary>Other hubs' changes to rooms (this hub's own were made when it made them).</summary>
    private ulong ApplyState(IReadOnlyList<INatsJSMsg<byte[]>> messages)
    {
        ulong last = 0;
        foreach (var message in messages)
        {
            last = Math.Max(last, message.Metadata?.Sequence.Stream ?? 0);
            if (Read<ClusterRoomChange>(message.Subject, message.Data ?? []) is not { } change || change.HubInstance == cluster.Instance)
            {
                continue;
            }
            if (message.Subject != StatePrefix + change.Room)
            {
                ClusterLog.Malformed(logger, "room change", Shorten(message.Subject), "not of the room its subject names");
            }
            else if (_rooms!.Apply(change, _time.GetUtcNow()) is { } refused)
            {
                ClusterLog.Malformed(logger, "room change", Shorten(message.Subject), refused);
            }
        }
        return last;
    }

    private T? Read<T>(string subject, byte[] data) where T : class, IWireMessage<T>
    {
        if (data.Length > T.MaxSize)
        {
            ClusterLog.Malformed(logger, typeof(T).Name, Shorten(subject), "too long");
            return null;
        }
        if (!WireMessage.TryRead<T>(data, out var message, out var error))
        {
            ClusterLog.Malformed(logger, typeof(T).Name, Shorten(subject), error);
            return null;
        }
        return message;
    }

    /// <summary>Passes key requests from members of other hubs to the key's owner if it reads here.</summary>
    private async Task PassKeyRequestsAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await foreach (var message in cluster.Connection.SubscribeAsync<byte[]>(KeyRequests, cancellationToken: _stopping.Token).ConfigureAwait(false))
                {
                    if (Read<RoomKeyRef>(message.Subject, message.Data ?? []) is { } request && _rooms!.IsMember(request.Room, request.Member)
                        && _log!.Reader(request.Room, request.Owner) is { } owner)
                    {
                        owner.Link.TrySend(FrameType.RoomKeyRequest, message.Data!);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (NatsException e)
            {
                ClusterLog.Failed(logger, "room key requests", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
