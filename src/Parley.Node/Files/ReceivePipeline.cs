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
/// in it, so a chat frame is never held behind a bundle's 256 file creations and their sync. Each link gets
/// one lane, in frame order: <see cref="Depth"/> frames (at most 2 MiB of file data) wait in it; past that
/// the receive loop waits, which slows the sender through TCP, so the cost stays with the one who sends.
/// A frame is read (and a malformed one refused, closing the link) before it is queued; its payload is
/// copied into a pooled buffer, since the frame is only valid while the loop handles it.
/// </summary>
internal sealed class ReceivePipeline(BlockReceiver blocks, ILoggerFactory loggerFactory)
{
    /// <summary>File frames queued per link before its receive loop waits. 8 (2 MiB of blocks).</summary>
    public const int Depth = 8;

    private readonly ConcurrentDictionary<PeerSession, Channel<Work>> _lanes = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger(FileLog.Category);

    private readonly record struct Work(FrameType Type, byte Channel, byte[] Buffer, int Length);

    /// <summary>Checks the frame reads, then queues it on its link's lane, waiting while the lane is full.</summary>
    public async ValueTask EnqueueAsync(PeerSession session, Frame frame)
    {
        _ = frame.Type switch
        {
            FrameType.FileBlock => frame.Read<FileBlock>().Header.Offset,
            FrameType.FileEnd => frame.Read<FileEnd>().FileIndex,
            FrameType.FileBundle => frame.Read<FileBundle>().FirstIndex,
            _ => throw new ArgumentException($"{frame.Type} is not file data", nameof(frame)),
        };
        var length = (int)frame.Payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        frame.Payload.CopyTo(buffer);
        try
        {
            await _lanes.GetOrAdd(session, Open).Writer.WriteAsync(new Work(frame.Type, frame.Channel, buffer, length)).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ArrayPool<byte>.Shared.Return(buffer); // the link closed meanwhile: its resume asks again
        }
    }

    private Channel<Work> Open(PeerSession session)
    {
        var lane = Channel.CreateBounded<Work>(new BoundedChannelOptions(Depth) { SingleReader = true, SingleWriter = true });
        _ = session.Link.Closed.ContinueWith(_ => lane.Writer.TryComplete(), TaskScheduler.Default);
        _ = Task.Run(() => RunAsync(session, lane));
        return lane;
    }

    private async Task RunAsync(PeerSession session, Channel<Work> lane)
    {
        try
        {
            await foreach (var work in lane.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await HandleAsync(session, work).ConfigureAwait(false);
            }
        }
        finally
        {
            _lanes.TryRemove(new KeyValuePair<PeerSession, Channel<Work>>(session, lane));
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
