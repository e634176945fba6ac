using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>Handles one received application frame. Throw <see cref="ProtocolException"/> to close the link.</summary>
public delegate ValueTask FrameHandler(PeerLink link, Frame frame);

/// <summary>
/// An authenticated, handshaken link to one peer: TLS 1.3 with a pinned device ID, then frames.
/// One receive loop, one send loop (control before bulk) and one keepalive loop; it closes exactly once.
/// Split by concern: <c>PeerLink.Receive.cs</c>, <c>PeerLink.Send.cs</c>, <c>PeerLink.Keepalive.cs</c>.
/// </summary>
public sealed partial class PeerLink : IPeerLink, IAsyncDisposable
{
    private static long s_nextNumber;
    private readonly SslStream _stream;
    private readonly WriteGatherStream _gather;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly LinkOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource<LinkClosed> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FrameHandler? _handler;
    private Task _loops = Task.CompletedTask;
    private int _closeStarted;

    internal PeerLink(SslStream stream, WriteGatherStream gather, PipeReader reader, Hello localHello, Hello remoteHello, ushort version, LinkDirection direction,
        IPEndPoint remoteEndPoint, LinkOptions options, ILogger logger)
    {
        _stream = stream;
        _gather = gather;
        _reader = reader;
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        LocalHello = localHello;
        RemoteHello = remoteHello;
        Version = version;
        Direction = direction;
        RemoteEndPoint = remoteEndPoint;
        _options = options;
        _logger = logger;
        Number = Interlocked.Increment(ref s_nextNumber);
        ConnectedAt = options.TimeProvider.GetUtcNow();
        _lastReceived = _lastSent = options.TimeProvider.GetTimestamp();
        _wake = System.Threading.Channels.Channel.CreateBounded<bool>(
            new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
        _bulkSlots = new SemaphoreSlim(options.BulkQueueLimit, options.BulkQueueLimit);
    }

    /// <summary>A process-unique number, to tell two links to the same peer apart.</summary>
    public long Number { get; }

    public DeviceId RemoteId => RemoteHello.DeviceId;

    public Hello RemoteHello { get; }

    /// <summary>What we told the peer in our hello (our name and whether we held it as a contact then).</summary>
    public Hello LocalHello { get; }

    /// <summary>The negotiated protocol version: the lower of the two sides'.</summary>
    public ushort Version { get; }

    public LinkDirection Direction { get; }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>
    /// Where the peer accepts links, as seen from here: the address it connected from with the
    /// listening port its hello gave; null when it gave none.
    /// </summary>
    public IPEndPoint? AdvertisedEndPoint => RemoteHello.ListenPort == 0 ? null
        : new IPEndPoint(RemoteEndPoint.Address.IsIPv4MappedToIPv6 ? RemoteEndPoint.Address.MapToIPv4() : RemoteEndPoint.Address, RemoteHello.ListenPort);

    /// <summary>The TCP connection runs through a hub's relay (TLS is still end to end); else it is direct.</summary>
    public bool Relayed { get; init; }

    /// <summary>How the connection reaches the peer; set by whoever made it (defaults to relayed or direct).</summary>
    public LinkPath Path
    {
        get => _path ?? (Relayed ? LinkPath.Relayed : LinkPath.Direct);
        set => _path = value;
    }

    private LinkPath? _path;

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Completes once, when the link has closed, with why.</summary>
    public Task<LinkClosed> Closed => _closed.Task;

    public bool IsClosed => Volatile.Read(ref _closeStarted) != 0;

    private string PeerLabel => RemoteId.Short;

    /// <summary>Starts the loops. Frames other than ping, pong and close go to <paramref name="handler"/>, one at a time.</summary>
    public void Start(FrameHandler handler)
    {
        _handler = handler;
        _gather.StartGathering(); // the send loop is the only writer now, and it flushes every batch
        _sendLoop = Task.Run(SendLoopAsync);
        _loops = Task.WhenAll(Task.Run(ReceiveLoopAsync), _sendLoop, Task.Run(KeepaliveLoopAsync));
    }

    /// <summary>Tells the peer why, flushes what is queued (within <see cref="LinkOptions.CloseTimeout"/>) and closes.</summary>
    public Task CloseAsync(CloseCode code, string reason) => CloseCoreAsync(new LinkClosed(code, reason, ByRemote: false), notifyPeer: true);

    private async Task CloseCoreAsync(LinkClosed closed, bool notifyPeer)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            await _closed.Task.ConfigureAwait(false);
            return;
        }
        _closeFrame = notifyPeer ? new CloseMessage(closed.Code, closed.Reason) : null;
        Volatile.Write(ref _closing, 1);
        _wake.Writer.TryWrite(true);
        if (_sendLoop is { } sendLoop)
        {
            // The send loop writes the close frame after the queued control frames, then exits.
            await Task.WhenAny(sendLoop, Task.Delay(_options.CloseTimeout, _options.TimeProvider)).ConfigureAwait(false);
        }
        else if (_closeFrame is not null)
        {
            // Never started (refused at the door): no send loop to write the close frame for us.
            await Task.WhenAny(DrainAsync().AsTask(), Task.Delay(_options.CloseTimeout, _options.TimeProvider)).ConfigureAwait(false);
        }
        await _abort.CancelAsync().ConfigureAwait(false);
        // The gather stream is the send loop's alone (unlocked, its buffer pooled across links): flushed here only once
        // the aborted loop has let go of it, or a write finishing as the abort fires could return one buffer twice.
        var letGo = _sendLoop is not { } aborted || await Task.WhenAny(aborted, Task.Delay(_options.CloseTimeout, _options.TimeProvider)).ConfigureAwait(false) == aborted;
        try
        {
            using var shutdown = new CancellationTokenSource(_options.CloseTimeout);
            if (letGo)
            {
                await _gather.StopGatheringAsync(shutdown.Token).ConfigureAwait(false);
            }
            if (notifyPeer && letGo)
            {
                await _stream.ShutdownAsync().WaitAsync(shutdown.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // The peer is already gone; nothing more to tell it.
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
        DropQueued();
        LinkLog.Closed(_logger, PeerLabel, RemoteHello.Name, closed.ByRemote ? "peer" : "us", closed.Code, closed.Reason);
        _closed.TrySetResult(closed);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(CloseCode.Normal, "closed").ConfigureAwait(false);
        try
        {
            await _loops.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _abort.Dispose();
    }
}
