using System.Collections.Concurrent;
using System.Threading.Channels;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

public sealed partial class PeerLink
{
    private readonly ConcurrentQueue<OutboundFrame> _control = new();
    private readonly ConcurrentQueue<OutboundFrame> _bulk = new();
    private readonly Channel<bool> _wake;
    private readonly SemaphoreSlim _bulkSlots;
    private int _controlCount;
    private long _lastSent;
    private CloseMessage? _closeFrame;
    private int _closing;
    private Task? _sendLoop;

    private readonly record struct OutboundFrame(FrameType Type, byte Channel, byte[] Payload, int Length, bool Pooled = false);

    /// <summary>
    /// Queues a control or chat frame; it goes out before any queued bulk frame. Returns false when
    /// the link is closing. A peer that stops reading until <see cref="LinkOptions.ControlQueueLimit"/>
    /// frames pile up gets the link closed.
    /// </summary>
    public bool TrySend(FrameType type, byte[] payload, byte channel = 0)
    {
        if (IsClosed)
        {
            return false;
        }
        if (Interlocked.Increment(ref _controlCount) > _options.ControlQueueLimit)
        {
            Interlocked.Decrement(ref _controlCount);
            _ = CloseAsync(CloseCode.ProtocolError, "peer stopped reading: send queue full");
            return false;
        }
        try
        {
            Enqueue(type, payload, channel);
        }
        catch (ArgumentException)
        {
            Interlocked.Decrement(ref _controlCount);
            throw;
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
        _bulk.Enqueue(new OutboundFrame(type, channel, payload, length, pooled));
        _wake.Writer.TryWrite(true);
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
        _bulk.Enqueue(new OutboundFrame(type, 0, payload, payload.Length));
        _wake.Writer.TryWrite(true);
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

    private void Enqueue(FrameType type, byte[] payload, byte channel = 0)
    {
        CheckCap(type, payload.Length);
        _control.Enqueue(new OutboundFrame(type, channel, payload, payload.Length));
        _wake.Writer.TryWrite(true);
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
                Interlocked.Decrement(ref _controlCount);
            }
            else if (!closing && _bulk.TryDequeue(out frame))
            {
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
