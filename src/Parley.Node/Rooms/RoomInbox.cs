using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Hub;

namespace Parley.Node.Rooms;

/// <summary>
/// Everything rooms receive from the hub — log entries, keys, sync states, receipts, key requests — is
/// handled here one at a time, in the order it came: a key that arrives before the messages it opens is
/// kept before they are read, and the read position moves only over what is stored. When the queue
/// runs dry, each room's position goes to the hub (an acknowledgement) and to the store.
/// </summary>
internal sealed class RoomInbox(RoomBook book, RoomReader reader, RoomKeys keys, RoomDelivery delivery, TimeProvider time, ILoggerFactory loggerFactory)
    : IHubClientFeature, INodeService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");

    /// <summary>Frames waiting to be handled; past it the hub link is closed (and on reconnect the rooms sync from their positions). 65,536.</summary>
    public const int MaxWaiting = 65_536;

    /// <summary>How often keys we wait for are checked (and their owners asked).</summary>
    private static readonly TimeSpan AskEvery = TimeSpan.FromSeconds(1);

    /// <summary>A frame from the hub, or (with <see cref="Retry"/>) "open again what waits for this member's key": handled in turn with the frames.</summary>
    private readonly record struct Item(FrameType Type, byte[] Payload, RoomState? Retry = null, DeviceId Sender = default);

    private readonly Channel<Item> _frames =
        Channel.CreateBounded<Item>(new BoundedChannelOptions(MaxWaiting) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private Task _loop = Task.CompletedTask;
    private ITimer? _asking;

    public IReadOnlyList<FrameSpec> Frames { get; } =
    [
        FrameSpec.Of<RoomEntry>(FrameType.RoomEntry),
        FrameSpec.Of<RoomKey>(FrameType.RoomKey),
        FrameSpec.Of<RoomSyncState>(FrameType.RoomSyncState),
        FrameSpec.Of<RoomReceipts>(FrameType.RoomReceipts),
        FrameSpec.Of<RoomKeyRef>(FrameType.RoomKeyRequest),
    ];

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (!_frames.Writer.TryWrite(new Item(frame.Type, frame.Payload.ToArray())))
        {
            throw new ProtocolException("more room traffic than this node can keep up with; it will sync again");
        }
        return ValueTask.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        _asking = time.CreateTimer(_ => AskForMissing(), null, AskEvery, AskEvery);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        _frames.Writer.TryComplete();
        if (_asking is not null)
        {
            await _asking.DisposeAsync().ConfigureAwait(false);
        }
        await _loop.ConfigureAwait(false);
    }

    /// <summary>Frames handled in one go, at most; a run of entries of one room among them is stored in one commit. 512.</summary>
    private const int MaxRun = 512;

    private async Task RunAsync()
    {
        var touched = new HashSet<RoomState>();
        var run = new List<RoomEntry>(MaxRun);
        RoomState? runState = null;
        while (await _frames.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                for (var handled = 0; handled < MaxRun && _frames.Reader.TryRead(out var item); handled++)
                {
                    if (item.Type == FrameType.RoomEntry && WireMessage.TryRead<RoomEntry>(item.Payload, out var entry, out _)
                        && await StateAsync(entry.Room).ConfigureAwait(false) is { } state)
                    {
                        if (state != runState)
                        {
                            await FlushAsync(runState, run).ConfigureAwait(false);
                            runState = state;
                        }
                        run.Add(entry);
                        touched.Add(state);
                        continue;
                    }
                    await FlushAsync(runState, run).ConfigureAwait(false);
                    if (item.Retry is { } retry)
                    {
                        await reader.RetryWaitingAsync(retry, item.Sender).ConfigureAwait(false);
                        continue;
                    }
                    await HandleAsync(item.Type, item.Payload).ConfigureAwait(false);
                }
                await FlushAsync(runState, run).ConfigureAwait(false);
                foreach (var state in touched)
                {
                    await reader.AcknowledgeAsync(state).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                // Whatever it was (the hub went away under a lookup, the store refused, a bug), this loop is
                // the only reader of every room: it must go on, and what failed is read again.
                RoomsLog.RunFailed(_logger, e.Message);
                // A run failed (the hub went away under a lookup, the store refused): nothing past it is acknowledged,
                // and the rooms it touched are read again from what is stored.
                if (runState is not null)
                {
                    touched.Add(runState);
                }
                foreach (var state in touched)
                {
                    reader.Resync(state);
                }
                run.Clear();
            }
            touched.Clear();
            runState = null;
        }
    }

    private async Task FlushAsync(RoomState? state, List<RoomEntry> run)
    {
        if (state is not null && run.Count > 0)
        {
            await reader.ReadAsync(state, run).ConfigureAwait(false);
        }
        run.Clear();
    }

    /// <summary>Handles one frame other than a log entry, in its turn.</summary>
    private async Task HandleAsync(FrameType type, byte[] payload)
    {
        switch (type)
        {
            case FrameType.RoomKey when WireMessage.TryRead<RoomKey>(payload, out var key, out _) && await StateAsync(key.Room) is { } state:
                // New to us, or one we hold while messages still wait for it (their sender's entry could not be fetched then): open them.
                if (await keys.AcceptAsync(state, key).ConfigureAwait(false) || RoomKeys.IsWaitingFor(state, key.From))
                {
                    await reader.RetryWaitingAsync(state, key.From).ConfigureAwait(false);
                }
                break;
            case FrameType.RoomSyncState when WireMessage.TryRead<RoomSyncState>(payload, out var sync, out _) && await StateAsync(sync.Room) is { } state:
                reader.Synced(state, sync);
                break;
            case FrameType.RoomReceipts when WireMessage.TryRead<RoomReceipts>(payload, out var receipts, out _) && await StateAsync(receipts.Room) is { } state:
                await delivery.OnReceiptsAsync(state, receipts).ConfigureAwait(false);
                break;
            case FrameType.RoomKeyRequest when WireMessage.TryRead<RoomKeyRef>(payload, out var request, out _) && await StateAsync(request.Room) is { } state:
                await keys.AnswerAsync(state, request).ConfigureAwait(false);
                break;
            default:
                break; // malformed, or for a room we are not in: room frames come from other members, so dropped, not a reason to drop the hub
        }
    }

    private async Task<RoomState?> StateAsync(string room) => book.Opened(room) is { } opening ? await opening.ConfigureAwait(false) : null;

    private void AskForMissing()
    {
        foreach (var room in book.Joined)
        {
            if (book.Find(room) is { } state)
            {
                foreach (var sender in keys.AskForMissing(state))
                {
                    _frames.Writer.TryWrite(new Item(FrameType.RoomEntry, [], state, sender));
                }
            }
        }
    }
}
