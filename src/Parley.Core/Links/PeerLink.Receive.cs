using System.Buffers;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

public sealed partial class PeerLink
{
    private long _lastReceived;

    private async Task ReceiveLoopAsync()
    {
        LinkClosed? outcome = null;
        try
        {
            while (outcome is null)
            {
                var result = await _reader.ReadAsync(_abort.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var (consumed, closed) = await ProcessBufferAsync(buffer).ConfigureAwait(false);
                _reader.AdvanceTo(consumed, buffer.End);
                outcome = closed ?? (result.IsCompleted ? new LinkClosed(CloseCode.Normal, "connection lost", ByRemote: true) : null);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            outcome = new LinkClosed(CloseCode.Normal, "connection lost", ByRemote: true);
        }
        await CloseCoreAsync(outcome, notifyPeer: outcome.Code == CloseCode.ProtocolError).ConfigureAwait(false);
        await _reader.CompleteAsync().ConfigureAwait(false); // its buffers go back to the pool now, not when the link is collected
    }

    /// <summary>Handles every whole frame in <paramref name="buffer"/>; returns where it stopped, or how the link ends.</summary>
    private async ValueTask<(SequencePosition Consumed, LinkClosed? Closed)> ProcessBufferAsync(ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            var kind = FrameReader.TryRead(ref buffer, _options.Frames, out var frame, out var error);
            if (kind == ReadResultKind.NeedMoreData)
            {
                return (buffer.Start, null);
            }
            if (kind == ReadResultKind.Error)
            {
                LinkLog.ProtocolViolation(_logger, PeerLabel, error);
                return (buffer.Start, new LinkClosed(CloseCode.ProtocolError, error, ByRemote: false));
            }
            Volatile.Write(ref _lastReceived, _options.TimeProvider.GetTimestamp());
            if (_options.LogProtocol)
            {
                LinkLog.Frame(_logger, "<-", PeerLabel, frame.Type, frame.Length);
            }
            var closed = await HandleFrameAsync(frame).ConfigureAwait(false);
            if (closed is not null)
            {
                return (buffer.Start, closed);
            }
        }
    }

    private async ValueTask<LinkClosed?> HandleFrameAsync(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Ping:
                if (!PingNonce.TryRead(frame.Payload, out var nonce, out var error))
                {
                    return Violation(error);
                }
                // Answered before consent, so charged like any frame: a peer that pings without
                // reading the pongs fills its budget (a stranger's is small) and is closed.
                return QueueControl(FrameType.Pong, nonce.ToArray()) is { } overflow ? Violation(overflow) : null;
            case FrameType.Pong:
                return null;
            case FrameType.Close:
                return CloseMessage.TryRead(frame.Payload, out var close, out _)
                    ? new LinkClosed(close.Code, close.Reason, ByRemote: true)
                    : Violation("malformed close frame");
            case FrameType.Hello:
                return Violation("hello sent twice");
        }
        try
        {
            await _handler!(this, frame).ConfigureAwait(false);
            return null;
        }
        catch (ProtocolException e)
        {
            return Violation(e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LinkLog.HandlerFailed(_logger, PeerLabel, e);
            return new LinkClosed(CloseCode.ProtocolError, "internal error handling " + frame.Type, ByRemote: false);
        }
    }

    private LinkClosed Violation(string reason)
    {
        LinkLog.ProtocolViolation(_logger, PeerLabel, reason);
        return new LinkClosed(CloseCode.ProtocolError, reason, ByRemote: false);
    }
}
