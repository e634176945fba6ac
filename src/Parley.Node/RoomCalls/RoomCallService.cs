using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Node.Api;
using Parley.Node.Contacts;
using Parley.Node.Hub;

namespace Parley.Node.RoomCalls;

/// <summary>
/// The room call this node is in (one at a time, as a person is in one call): joining through the
/// hub, leaving, and the <see cref="RoomCallSession"/> between the page and the hub while it lasts.
/// </summary>
internal sealed class RoomCallService : IDisposable
{
    private readonly RoomCallMember _member;
    private readonly ContactBook _contacts;
    private readonly VerifiedDirectory _directory;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    /// <summary>One join at a time: two at once (two tabs, a reload mid-join) each left the other's call and the node ended in the hub's call with no session.</summary>
    private readonly SemaphoreSlim _joining = new(1, 1);
    private RoomCallSession? _session;
    private CancellationTokenSource? _running;

    /// <summary>Completed (and replaced) whenever a session starts: a page's media channel may come before the join it was opened beside.</summary>
    private TaskCompletionSource _sessionStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long a page's media channel waits for the room's call to start here (the page opens it beside its join). 10 s.</summary>
    public static readonly TimeSpan MediaWaitsForJoin = TimeSpan.FromSeconds(10);

    public RoomCallService(RoomCallMember member, ContactBook contacts, VerifiedDirectory directory, TimeProvider time)
    {
        (_member, _contacts, _directory, _time) = (member, contacts, directory, time);
        member.ParticipantsChanged += notice => _session?.OnParticipantsChanged(notice);
        member.KeyframeRequested += () => _session?.OnKeyframeRequested();
        member.Ended += OnEnded;
    }

    /// <summary>The call we are in now, if any.</summary>
    public RoomCallSession? Current => _session;

    /// <summary>Joins (or starts) the room's call; leaves any other call first. A refusal (not a member, the call is full) says why.</summary>
    public async Task<RoomCallInfo> JoinAsync(string room, bool video, string? join = null, CancellationToken cancellationToken = default)
    {
        var name = RoomNames.Normalize(room);
        if (!RoomNames.IsValid(name))
        {
            throw new ApiRequestException("give the room's name, like #team");
        }
        await _joining.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await JoinOneAsync(name, video, join, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _joining.Release();
        }
    }

    private async Task<RoomCallInfo> JoinOneAsync(string name, bool video, string? join, CancellationToken cancellationToken)
    {
        if (_session is { } before)
        {
            _member.Leave();
            Forget(before, "joined another room's call");
        }
        var session = new RoomCallSession(_member, name, video, NameOf, _time) { JoinId = join };
        lock (_lock)
        {
            _session = session; // before the join: the hub's notices of who is in follow its grant at once
            _sessionStarted.TrySetResult();
            _sessionStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        try
        {
            await _member.JoinAsync(name, video ? Core.Hub.RoomCalls.RoomCallMedia.Audio | Core.Hub.RoomCalls.RoomCallMedia.Video : Core.Hub.RoomCalls.RoomCallMedia.Audio,
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Forget(session, "could not join");
            throw;
        }
        session.Joined(_member.Participant ?? 0);
        var running = new CancellationTokenSource();
        lock (_lock)
        {
            if (_session != session)
            {
                running.Dispose();
                running = null;
            }
            else
            {
                _running?.Cancel();
                _running = running;
            }
        }
        if (running is null)
        {
            // Left (the page went, the hub ended it) while the grant was on its way: out of the hub's call too, no pump for it.
            _member.Leave();
            throw new RoomCallRefusedException("the call was left while joining it");
        }
        _ = Task.Run(() => session.RunAsync(_member.Received, running.Token), CancellationToken.None);
        session.SendState();
        return session.Info();
    }

    /// <summary>Leaves the room's call if we are in it; the others see it at once.</summary>
    public RoomCallInfo Leave(string room)
    {
        var name = RoomNames.Normalize(room);
        var session = _session;
        if (session is null || session.Room != name)
        {
            return new RoomCallInfo("#" + name, false, 0, false, []);
        }
        _member.Leave();
        Forget(session, "left the call");
        return session.Info();
    }

    /// <summary>The room's call as we are in it, or "not in it".</summary>
    public RoomCallInfo Info(string room)
    {
        var name = RoomNames.Normalize(room);
        if (_session is not { } session || session.Room != name)
        {
            return new RoomCallInfo("#" + name, false, 0, false, []);
        }
        var frames = session.FramesToPage;
        return session.Info() with
        {
            Counters = new RoomCallCounters(frames[0], frames[1], frames[2], _member.Unopened, _member.AwaitingKeyDropped, session.OwnFramesReceived,
                _member.KeyframeRequests, _member.Resent),
        };
    }

    /// <summary>
    /// The session of the room's call, for its page's media channel. The page opens the channel as it asks to join, so
    /// the channel may come first (named with the join's <paramref name="join"/>, so it never takes a session that join replaces): it waits up to <see cref="MediaWaitsForJoin"/> for the session, then fails with a clear error.
    /// Opened beside the join, the channel is ready when the join is answered, and the others' first frames are already in the page.
    /// </summary>
    public async Task<RoomCallSession> FindAsync(string room, string? join, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(MediaWaitsForJoin);
        while (true)
        {
            Task started;
            lock (_lock)
            {
                if (_session is { } session && session.Room == name && (join is null || session.JoinId == join))
                {
                    return session;
                }
                started = _sessionStarted.Task;
            }
            try
            {
                await started.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new NotInRoomCallException("#" + name);
            }
        }
    }

    private void OnEnded(string reason)
    {
        if (_session is { } session)
        {
            Forget(session, reason);
        }
    }

    private void Forget(RoomCallSession session, string reason)
    {
        lock (_lock)
        {
            if (_session != session)
            {
                return;
            }
            _session = null;
            _running?.Cancel();
            _running?.Dispose();
            _running = null;
        }
        session.End(reason);
    }

    /// <summary>
    /// What the page calls a participant: our name for a contact, else the name its signed directory entry
    /// gives, else its ID's start until the directory answers (then the page is told the name).
    /// </summary>
    private string NameOf(DeviceId device)
    {
        if (_contacts.Find(device)?.DisplayName is { Length: > 0 } known)
        {
            return known;
        }
        if (_directory.Cached(device) is { SignatureValid: true, Name: { Length: > 0 } listed })
        {
            return listed;
        }
        _ = Task.Run(async () =>
        {
            if (await _directory.TryFindAsync(device).ConfigureAwait(false) is { SignatureValid: true, Name: { Length: > 0 } name })
            {
                _session?.Rename(device, name);
            }
        });
        return device.ToString()[..8];
    }

    public void Dispose()
    {
        if (_session is { } session)
        {
            _member.Leave();
            Forget(session, "the node stopped");
        }
        _joining.Dispose();
    }
}

/// <summary>A page asked for the media of a room call this node is not in.</summary>
internal sealed class NotInRoomCallException(string room) : RequestRefusedException($"this node is not in {room}'s call", 404);
