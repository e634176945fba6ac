using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Core.Files;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// Runs the receiver's file work (hash checks, writes, landings) beside the link's receive loop rather than
/// in it, and never makes that loop wait: a chat frame is never held behind a bundle's 256 file creations
/// and their sync, however slow the disk. Each link gets one lane, in frame order. The lane's cost stays
/// with the sender by flow control, not by blocking the loop: past <see cref="PauseAt"/> queued frames the
/// receiver sends TransferPause ("busy") for the transfers in it; once the lane is empty it asks again
/// (FileRequest) from exactly where it is. Frames already in flight still queue, up to <see cref="MaxQueued"/>
/// (64 MiB at most); past that they are dropped, and the ask again covers them. Frames for a transfer the peer
/// is not actively sending us are dropped before anything is held for them.
/// A frame is read (and a malformed one refused, closing the link) before it is queued; its payload is
/// copied into a pooled buffer, since the frame is only valid while the loop handles it.
/// </summary>
internal sealed class ReceivePipeline(BlockReceiver blocks, TransferBook book, IncomingFiles incoming, ILoggerFactory loggerFactory)
{
    /// <summary>
    /// Queued file frames at which the lane's transfers are paused: 64 (16 MiB of blocks). Each pause stops and
    /// restarts the sender's stream; at 8 a 1 GiB send paused every 2 MiB and fell from 339 to 145 MiB/s.
    /// </summary>
    public const int PauseAt = 64;

    /// <summary>Queued file frames past which the sender is taken to ignore the pause. 256.</summary>
    public const int MaxQueued = 256;

    private readonly ConcurrentDictionary<PeerSession, Lane> _lanes = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger(FileLog.Category);

    private readonly record struct Work(FrameType Type, byte Channel, byte[] Buffer, int Length);

    private sealed class Lane
    {
        public readonly Channel<Work> Queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        public readonly HashSet<Guid> Paused = [];

        /// <summary>
        /// Transfers a frame of which was dropped (guarded with <see cref="Paused"/>): their later frames are dropped too
        /// until the lane asks again. Queued past the gap, the file's end would find it short and fail the transfer.
        /// </summary>
        public readonly HashSet<Guid> Dropping = [];

        public int Queued;
    }

    /// <summary>Checks the frame reads, then queues it on its link's lane; pauses the transfer when the lane is long.</summary>
    public async ValueTask EnqueueAsync(PeerSession session, Frame frame)
    {
        var offer = frame.Type switch
        {
            FrameType.FileBlock => frame.Read<FileBlock>().Header.OfferId,
            FrameType.FileEnd => frame.Read<FileEnd>().OfferId,
            FrameType.FileBundle => frame.Read<FileBundle>().OfferId,
            _ => throw new ArgumentException($"{frame.Type} is not file data", nameof(frame)),
        };
        // Nothing is held for a transfer this peer is not sending us (a stranger's blocks cost it, not us).
        if (book.With(session.Id, offer) is not { Outgoing: false, State: TransferState.Active })
        {
            return;
        }
        var lane = _lanes.GetOrAdd(session, Open);
        lock (lane.Paused)
        {
            if (lane.Dropping.Contains(offer) || Volatile.Read(ref lane.Queued) >= MaxQueued)
            {
                // Past the cap the sender ignored a pause (or much was in flight): dropped, which costs nothing, since the
                // transfer is paused and the lane asks again from exactly where the receiver stands; and so is all of it
                // that comes before that ask (a block after the gap cannot be written, the file's end would fail it).
                lane.Dropping.Add(offer);
                if (lane.Paused.Add(offer))
                {
                    session.Send(FrameType.TransferPause, new TransferStop(offer, "the receiver is busy writing"));
                }
                return;
            }
        }
        var queued = Interlocked.Increment(ref lane.Queued);
        // The pause is recorded before the frame is queued: the lane cannot drain to empty (and ask again)
        // until this frame is handled, so a pause is never recorded after the ask that should end it.
        if (queued >= PauseAt)
        {
            // Under the lock that also sends the ask again: the sender never hears a pause after the ask that ends it.
            lock (lane.Paused)
            {
                if (lane.Paused.Add(offer))
                {
                    session.Send(FrameType.TransferPause, new TransferStop(offer, "the receiver is busy writing"));
                }
            }
        }
        var length = (int)frame.Payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        frame.Payload.CopyTo(buffer);
        if (!lane.Queue.Writer.TryWrite(new Work(frame.Type, frame.Channel, buffer, length)))
        {
            ArrayPool<byte>.Shared.Return(buffer); // the link closed meanwhile: its resume asks again
        }
    }

    private Lane Open(PeerSession session)
    {
        var lane = new Lane();
        _ = session.Link.Closed.ContinueWith(_ => lane.Queue.Writer.TryComplete(), TaskScheduler.Default);
        _ = Task.Run(() => RunAsync(session, lane));
        return lane;
    }

    private async Task RunAsync(PeerSession session, Lane lane)
    {
        try
        {
            await foreach (var work in lane.Queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await HandleAsync(session, work).ConfigureAwait(false);
                if (Interlocked.Decrement(ref lane.Queued) == 0)
                {
                    AskAgain(session, lane);
                }
            }
        }
        finally
        {
            _lanes.TryRemove(new KeyValuePair<PeerSession, Lane>(session, lane));
        }
    }

    /// <summary>The lane is empty: every paused transfer asks for the rest from where its open file stands.</summary>
    private void AskAgain(PeerSession session, Lane lane)
    {
        lock (lane.Paused)
        {
            foreach (var offer in lane.Paused)
            {
                if (book.With(session.Id, offer) is { Outgoing: false, State: TransferState.Active } transfer && incoming.TryGetOpen(offer, out var open))
                {
                    transfer.AskedToResend = true;
                    session.Send(FrameType.FileRequest, new FileRequest(offer, open.Index, open.Offset));
                }
            }
            lane.Paused.Clear();
            lane.Dropping.Clear();
        }
    }

    private async Task HandleAsync(PeerSession session, Work work)
    {
        var frame = new Frame(work.Type, work.Channel, new ReadOnlySequence<byte>(work.Buffer, 0, work.Length));
        try
        {
            await (work.Type switch
            {
                FrameType.FileBlock => blocks.OnBlockAsync(session, frame),
                FrameType.FileEnd => blocks.OnEndAsync(session, frame),
                _ => blocks.OnBundleAsync(session, frame),
            }).ConfigureAwait(false);
        }
        catch (ProtocolException e)
        {
            await session.Link.CloseAsync(CloseCode.ProtocolError, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            FileLog.PipelineFailed(_logger, session.Id.Short, work.Type, e);
            await session.Link.CloseAsync(CloseCode.ProtocolError, "internal error handling " + work.Type).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(work.Buffer);
        }
    }
}
