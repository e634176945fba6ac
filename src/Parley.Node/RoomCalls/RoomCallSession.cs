using System.Threading.Channels;
using Parley.Core.Calls;
using Parley.Core.Hub.RoomCalls;

namespace Parley.Node.RoomCalls;

/// <summary>A frame from another participant, whole again, for the page (with its participant ID and its last level).</summary>
internal sealed record RoomCallFrame(ushort Participant, byte Level, MediaFrame Frame);

/// <summary>
/// One room call this node is in, between its page and <see cref="RoomCallMember"/>: the page's
/// encoded frames are split into parts (<see cref="RoomCallFramePart"/> inside the end-to-end
/// ciphertext) and sent; the others' parts are put back together per participant and handed to the
/// page with who sent them. What each participant says of itself (muted, camera off, sharing) rides
/// the same way as a state part, on every change and every <see cref="StateInterval"/>.
/// </summary>
internal sealed partial class RoomCallSession(RoomCallMember member, string room, bool video, Func<Core.Identity.DeviceId, string> nameOf, TimeProvider time)
{
    /// <summary>Items waiting for a page that is behind; the oldest go first (a lost video frame brings a keyframe request). 512.</summary>
    public const int PageQueue = 512;

    /// <summary>How often our state goes out again (a lost state part is mended by the next). 2 s.</summary>
    public static readonly TimeSpan StateInterval = TimeSpan.FromSeconds(2);

    /// <summary>Keyframe requests to one participant are at most this often (the hub merges them too). 300 ms.</summary>
    public static readonly TimeSpan KeyframeAskInterval = TimeSpan.FromMilliseconds(300);

    private readonly Lock _lock = new();
    private readonly Dictionary<ushort, RoomCallPeer> _peers = [];
    private readonly ushort[] _frameNumbers = new ushort[3];
    private Channel<object>? _page;
    private RoomCallPeerState _state = video ? RoomCallPeerState.None : RoomCallPeerState.CameraOff;
    private byte _level = 127;

    public string Room { get; } = room;

    /// <summary>What the page named its join, if it did (its media channel, opened beside the join, says the same).</summary>
    public string? JoinId { get; init; }

    public bool Video { get; } = video;

    /// <summary>Our participant ID in the hub's call (set once joined).</summary>
    public ushort Participant { get; private set; }

    /// <summary>The hub let us in as <paramref name="participant"/>: a page attached during the join learns its ID.</summary>
    public void Joined(ushort participant)
    {
        Participant = participant;
        ListToPage();
    }

    /// <summary>Why the call ended, once it has.</summary>
    public string? EndReason { get; private set; }

    /// <summary>Frames that reached us from our own participant ID: the hub must never send them back (counted so a test can say none came).</summary>
    public long OwnFramesReceived { get; private set; }

    /// <summary>Frames given to a page, by kind (audio, video, screen), from whoever sent them.</summary>
    public long[] FramesToPage { get; } = new long[3];

    public RoomCallInfo Info()
    {
        lock (_lock)
        {
            return InfoLocked();
        }
    }

    private RoomCallInfo InfoLocked() =>
        new("#" + Room, EndReason is null, Participant, Video, [.. _peers.Values.OrderBy(p => p.Participant).Select(p => p.View())]);

    /// <summary>
    /// A page takes the call's media: the page before it (another tab) is told the call moved and closed. The new
    /// page gets the participants, then each one's camera and screen since their last keyframes (<see cref="RoomCallReplay"/>),
    /// then what comes (live frames are written under the same lock): a page that opens after the keyframes made for
    /// its join went by starts at once, without asking the senders again.
    /// </summary>
    public ChannelReader<object> Attach()
    {
        var page = Channel.CreateBounded<object>(new BoundedChannelOptions(PageQueue) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        Channel<object>? before;
        lock (_lock)
        {
            (before, _page) = (_page, page);
            page.Writer.TryWrite(RoomCallNodeNotice.Participants(InfoLocked()));
            var now = time.GetTimestamp();
            // At most half the page's queue, in whole runs while they fit: a room of many
            // cameras must not push the list itself out of the queue (it drops its oldest).
            var room = PageQueue / 2;
            foreach (var peer in _peers.Values)
            {
                foreach (var run in peer.Replays.Select(r => r?.Run(now, time) ?? []).Where(r => r.Count > 0 && r.Count <= room))
                {
                    room -= run.Count;
                    foreach (var frame in run)
                    {
                        page.Writer.TryWrite(new RoomCallFrame(peer.Participant, peer.Level, frame));
                    }
                }
            }
        }
        before?.Writer.TryWrite(RoomCallNodeNotice.Ended("the call was opened in another tab"));
        before?.Writer.TryComplete();
        if (EndReason is { } reason)
        {
            page.Writer.TryWrite(RoomCallNodeNotice.Ended(reason));
            page.Writer.TryComplete();
        }
        return page.Reader;
    }

    /// <summary>Whether the call's media goes to this page (another tab may have taken it since).</summary>
    public bool IsAttached(ChannelReader<object> reader)
    {
        lock (_lock)
        {
            return _page?.Reader == reader;
        }
    }

    /// <summary>The page left; true when it was the page the call's media went to.</summary>
    public bool Detach(ChannelReader<object> reader)
    {
        lock (_lock)
        {
            if (_page?.Reader != reader)
            {
                return false;
            }
            _page = null;
            return true;
        }
    }

    /// <summary>Who is in the call, to the page: read and written under the lock, so two changes never reach it in the other order.</summary>
    private void ListToPage()
    {
        lock (_lock)
        {
            _page?.Writer.TryWrite(RoomCallNodeNotice.Participants(InfoLocked()));
        }
    }

    private void ToPage(object item)
    {
        Channel<object>? page;
        lock (_lock)
        {
            page = _page;
        }
        page?.Writer.TryWrite(item);
    }

    /// <summary>The call ended (we left, were cut off, or lost the hub): the page hears why and its channel closes.</summary>
    public void End(string reason)
    {
        Channel<object>? page;
        lock (_lock)
        {
            EndReason ??= reason;
            page = _page;
        }
        page?.Writer.TryWrite(RoomCallNodeNotice.Ended(reason));
        page?.Writer.TryComplete();
    }

    /// <summary>Someone joined or left: the page sees the new list at once.</summary>
    public void OnParticipantsChanged(RoomCallNotice notice)
    {
        lock (_lock)
        {
            if (notice.Change == RoomCallChange.Joined)
            {
                _peers.TryAdd(notice.Participant, new RoomCallPeer(notice.Participant, notice.Device, nameOf(notice.Device), notice.Media));
            }
            else
            {
                _peers.Remove(notice.Participant);
            }
        }
        ListToPage();
        if (notice.Change == RoomCallChange.Joined)
        {
            // The newcomer needs our state at once and a keyframe to start from (it also asks, once it holds our new key).
            SendState();
            ToPage(RoomCallNodeNotice.Keyframe);
        }
    }

    public void OnKeyframeRequested() => ToPage(RoomCallNodeNotice.Keyframe);

    /// <summary>A participant's name came back from the directory: the page shows it.</summary>
    public void Rename(Core.Identity.DeviceId device, string name)
    {
        lock (_lock)
        {
            foreach (var peer in _peers.Values.Where(p => p.Device == device))
            {
                peer.Name = name;
            }
        }
        ListToPage();
    }

    /// <summary>The page's decoder of a participant's video lost its footing: ask that participant for a keyframe (at most every <see cref="KeyframeAskInterval"/>).</summary>
    public void AskKeyframe(ushort participant)
    {
        Core.Identity.DeviceId? from = null;
        lock (_lock)
        {
            if (_peers.TryGetValue(participant, out var peer) && peer.TryAskKeyframe(time))
            {
                from = peer.Device;
            }
        }
        if (from is { } device)
        {
            member.RequestKeyframe(device);
        }
    }

    /// <summary>What the page says of itself (muted, camera off, sharing): sent to the others now if it changed.</summary>
    public void SetState(RoomCallPeerState state)
    {
        lock (_lock)
        {
            if (_state == state)
            {
                return;
            }
            _state = state;
        }
        SendState();
    }

    /// <summary>The page's microphone level (RMS, 0 to 1), as the dBov its audio packets carry for the hub's active speaker.</summary>
    public void SetLevel(double rms) => _level = rms <= 1e-6 ? (byte)127 : (byte)Math.Clamp(-20 * Math.Log10(Math.Min(1, rms)), 0, 127);

    public void SendState()
    {
        RoomCallPeerState state;
        lock (_lock)
        {
            state = _state;
        }
        Span<byte> part = stackalloc byte[RoomCallFramePart.Size + 1];
        new RoomCallFramePart(RoomCallPartKind.State, false, 0, 0, 1, 0, 0).Write(part);
        part[^1] = (byte)state;
        member.SendMedia(RoomCallHop.AudioStream, part, keyframe: false);
    }

    /// <summary>Sends a frame from the page to everyone else in the call, in parts; false when not in a call.</summary>
    public bool SendFromPage(PageFrame frame)
    {
        var kind = (RoomCallPartKind)frame.Stream;
        var number = _frameNumbers[(int)kind]++;
        var stream = kind == RoomCallPartKind.Audio ? RoomCallHop.AudioStream : RoomCallHop.VideoStream;
        var slices = FrameAssembler.Split(frame.Data.Length, RoomCallFramePart.MaxData).ToList();
        Span<byte> part = stackalloc byte[RoomCallFrameParts.MaxMediaPart];
        for (var i = 0; i < slices.Count; i++)
        {
            var (offset, length) = slices[i];
            new RoomCallFramePart(kind, frame.Keyframe, number, (byte)i, (byte)slices.Count, frame.Timestamp, frame.Codec).Write(part);
            frame.Data.Span.Slice(offset, length).CopyTo(part[RoomCallFramePart.Size..]);
            if (!member.SendMedia(stream, part[..(RoomCallFramePart.Size + length)], frame.Keyframe, kind == RoomCallPartKind.Audio ? _level : (byte)127,
                layer: frame.Layer, endOfFrame: i == slices.Count - 1))
            {
                return false;
            }
        }
        return true;
    }
}
