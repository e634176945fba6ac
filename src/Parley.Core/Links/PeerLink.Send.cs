using System.Collections.Concurrent;
using System.Threading.Channels;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

public sealed partial class PeerLink
{
    /// <summary>
    /// Bytes a queued frame is charged beyond its wire size: its queue slot and array header. So a
    /// flood of tiny frames (pongs) is charged for the memory it holds, not only its 14 wire bytes.
    /// </summary>
    public const int FrameBookkeeping = 64;

    private readonly ConcurrentQueue<OutboundFrame> _control = new();
    private readonly ConcurrentQueue<OutboundFrame> _bulk = new();
    private readonly Channel<bool> _wake;
    private readonly SemaphoreSlim _bulkSlots;
    private int _queuedFrames;
    private long _queuedBytes;
    private volatile bool _stranger;
    private long _lastSent;
    private CloseMessage? _closeFrame;
    private int _closing;
    private Task? _sendLoop;

    private readonly record struct OutboundFrame(FrameType Type, byte Channel, byte[] Payload, int Length, bool Pooled = false)
    {
        public long Cost => ProtocolLimits.HeaderSize + Length + FrameBookkeeping;
    }

    /// <summary>
    /// While true, the link may queue only <see cref="LinkOptions.StrangerMaxQueuedFrames"/> frames and
    /// <see cref="LinkOptions.StrangerMaxQueuedBytes"/> bytes: a node sets it for a device it has not
    /// accepted (a request), which is owed nothing but pongs and a close, and clears it on accepting.
    /// Defaults to false: the full budget, <see cref="LinkOptions.MaxQueuedFrames"/> and <see cref="LinkOptions.MaxQueuedBytes"/>.
    /// </summary>
    public bool Stranger { get => _stranger; set => _stranger = value; }

    /// <summary>Frames of every kind waiting to be sent now.</summary>
    public int QueuedFrames => Volatile.Read(ref _queuedFrames);

    /// <summary>Bytes waiting to be sent now, as charged to the budget (wire size plus <see cref="FrameBookkeeping"/> a frame).</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>
    /// Queues a control or chat frame; it goes out before any queued bulk frame. Returns false when
    /// the link is closing. A frame past the link's budget (<see cref="LinkOptions.MaxQueuedFrames"/>,
    /// <see cref="LinkOptions.MaxQueuedBytes"/>, a stranger's smaller one) is not queued: its peer
    /// stopped reading, and the link is closed saying so.
    /// </summary>
    public bool TrySend(FrameType type, byte[] payload, byte channel = 0)
    {
        if (IsClosed)
        {
            return false;
        }
        CheckCap(type, payload.Length);
        if (QueueControl(type, payload, channel) is { } overflow)
        {
            _ = CloseAsync(CloseCode.ProtocolError, overflow);
            return false;
        }
        return true;
    }

    /// <summary>Queues a bulk frame, waiting while <see cref="LinkOptions.BulkQueueLimit"/> are already queued.</summary>
    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, byte channel = 0, CancellationToken cancellationToken = default) =>
        SendBulkAsync(type, payload, payload.Length, pooled: false, channel, cancellationToken);

    /// <summary>
    /// As above, for the first <paramref name="length"/> bytes of <paramref name="payload"/>; when
    /// <paramref name="pooled"/>, the array came from <see cref="System.Buffers.ArrayPool{T}.Shared"/> and
    /// goes back there once written (or dropped), so bulk data is not a fresh allocation per block.
    /// </summary>
    public async ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, int length, bool pooled, byte channel = 0, CancellationToken cancellationToken = default)
    {
        CheckCap(type, length);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        try
        {
            await _bulkSlots.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Release(payload, pooled);
            return false;
        }
        catch
        {
            Release(payload, pooled);
            throw;
        }
        if (IsClosed)
        {
            _bulkSlots.Release();
            Release(payload, pooled);
            return false;
        }
        QueueBulk(new OutboundFrame(type, channel, payload, length, pooled));
        return true;
    }

    /// <summary>
    /// Queues a bulk frame only if a bulk slot is free now; false means it was dropped. For data that
    /// is worthless late (call media carried over the link), where waiting would only add delay.
    /// </summary>
    public bool TrySendBulk(FrameType type, byte[] payload)
    {
        CheckCap(type, payload.Length);
        if (IsClosed || !_bulkSlots.Wait(0))
        {
            return false;
        }
        QueueBulk(new OutboundFrame(type, 0, payload, payload.Length));
        return true;
    }

    private void CheckCap(FrameType type, int length)
    {
        // Caught here, at the caller, rather than in the send loop where it would stall the link.
        if (length > (_options.Frames.MaxPayloadFor((byte)type) ?? -1))
        {
            throw new ArgumentException($"{type} payload of {length} bytes is over its cap of {_options.Frames.MaxPayloadFor((byte)type)}");
        }
    }

    /// <summary>
    /// The one admission of every frame that is not bulk (ours, pongs, keepalive pings): charged to
    /// the link's budget and queued, or refused with the reason the link must close.
    /// </summary>
    private string? QueueControl(FrameType type, byte[] payload, byte channel = 0)
    {
        var frame = new OutboundFrame(type, channel, payload, payload.Length);
        var frames = Interlocked.Increment(ref _queuedFrames);
        var bytes = Interlocked.Add(ref _queuedBytes, frame.Cost);
        var (maxFrames, maxBytes) = _stranger
            ? (_options.StrangerMaxQueuedFrames, _options.StrangerMaxQueuedBytes)
            : (_options.MaxQueuedFrames, _options.MaxQueuedBytes);
        if (frames > maxFrames || bytes > maxBytes)
        {
            Uncharge(frame);
            return $"peer stopped reading: {frames - 1} frames ({bytes - frame.Cost} B) waiting to be sent, over the {(_stranger ? "stranger's " : "")}limit of {maxFrames} frames or {maxBytes} B";
        }
        _control.Enqueue(frame);
        _wake.Writer.TryWrite(true);
        return null;
    }

    /// <summary>A bulk frame holds a bulk slot already: charged to the same budget, it waits for room rather than closing the link.</summary>
    private void QueueBulk(OutboundFrame frame)
    {
        Interlocked.Increment(ref _queuedFrames);
        Interlocked.Add(ref _queuedBytes, frame.Cost);
        _bulk.Enqueue(frame);
        _wake.Writer.TryWrite(true);
    }

    private void Uncharge(OutboundFrame frame)
    {
        Interlocked.Decrement(ref _queuedFrames);
        Interlocked.Add(ref _queuedBytes, -frame.Cost);
    }

    /// <summary>Drops what is still queued once the link has closed, so a stuck peer's backlog is freed with it.</summary>
    private void DropQueued()
    {
        while (_control.TryDequeue(out var frame))
        {
            Uncharge(frame);
        }
        while (_bulk.TryDequeue(out var frame))
        {
            Uncharge(frame);
            _bulkSlots.Release();
            Release(frame.Payload, frame.Pooled);
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                await _wake.Reader.ReadAsync(_abort.Token).ConfigureAwait(false);
                if (await DrainAsync().ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The receive loop may still hold what the peer sent before it went (its close frame and
            // reason): let it read that, and close here only if it has not within the close timeout.
            _ = CloseUnlessClosedAsync();
        }
    }

    private async Task CloseUnlessClosedAsync()
    {
        try
        {
            await Task.Delay(_options.CloseTimeout, _options.TimeProvider).WaitAsync(_abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await CloseCoreAsync(new LinkClosed(CloseCode.Normal, "connection lost", ByRemote: true), notifyPeer: false).ConfigureAwait(false);
    }

    /// <summary>Writes everything queued, control first, flushing every batch; true once the close frame is out.</summary>
    private async ValueTask<bool> DrainAsync()
    {
        var batchBytes = 0;
        while (true)
        {
            var closing = Volatile.Read(ref _closing) == 1;
            if (_control.TryDequeue(out var frame))
            {
                Uncharge(frame);
            }
            else if (!closing && _bulk.TryDequeue(out frame))
            {
                Uncharge(frame);
                _bulkSlots.Release();
            }
            else
            {
                break;
            }
            Write(frame.Type, frame.Channel, frame.Payload.AsSpan(0, frame.Length));
            Release(frame.Payload, frame.Pooled);
            batchBytes += ProtocolLimits.HeaderSize + frame.Length;
            if (batchBytes >= _options.MaxBatchBytes)
            {
                await FlushAsync().ConfigureAwait(false);
                batchBytes = 0;
            }
        }
        if (Volatile.Read(ref _closing) == 1)
        {
            if (_closeFrame is { } close)
            {
                Write(FrameType.Close, 0, close.ToArray());
            }
            await FlushAsync().ConfigureAwait(false);
            return true;
        }
        if (batchBytes > 0)
        {
            await FlushAsync().ConfigureAwait(false);
        }
        return false;
    }

    private static void Release(byte[] payload, bool pooled)
    {
        if (pooled)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(payload);
        }
    }

    private void Write(FrameType type, byte channel, ReadOnlySpan<byte> payload)
    {
        FrameWriter.Write(_writer, type, channel, payload);
        if (_options.LogProtocol)
        {
            LinkLog.Frame(_logger, "->", PeerLabel, type, payload.Length);
        }
    }

    private async ValueTask FlushAsync()
    {
        await _writer.FlushAsync(_abort.Token).ConfigureAwait(false);
        Volatile.Write(ref _lastSent, _options.TimeProvider.GetTimestamp());
    }
}
