using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Calls;
using Parley.Core.Protocol;
using Parley.Core.Tests;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Calls;
using Parley.Node.Links;
using Parley.Node.Storage;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Calls;

/// <summary>The signalling rules alone: frames from fake links, a manual clock, no sockets.</summary>
public sealed class CallSignallingTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-calls-").FullName;
    private readonly ManualTimeProvider _clock = new();
    private readonly FakeSessions _sessions = new();
    private readonly FakeMediaSocket _socket = new();
    private NodeStore _store = null!;
    private CallBook _book = null!;
    private CallSignalling _signalling = null!;
    private CallLifecycle _lifecycle = null!;

    public async Task InitializeAsync()
    {
        _store = NodeStore.Open(_home);
        var contacts = await ContactBook.LoadAsync(_store, _clock);
        var options = new NodeOptions { Home = _home };
        var events = new EventHub();
        _book = new CallBook();
        var punching = new CallPunching(_socket, new Parley.Node.Hub.HubChannel(), _sessions, new CallRelaying([], _sessions), events, _clock);
        var paths = new CallMediaPaths(_socket, _sessions, punching, options, events, _clock);
        var signals = new CallSignals(_sessions, paths);
        var history = new CallHistory(new Parley.Node.Chat.ConversationEntries(_store, contacts, events), _clock, NullLoggerFactory.Instance);
        var lifecycle = _lifecycle = new CallLifecycle(_book, paths, new PageTurnSocket(_book, _clock, NullLoggerFactory.Instance), signals, history, events, _clock, NullLoggerFactory.Instance);
        _signalling = new CallSignalling(_book, lifecycle, signals, punching, contacts, history, _clock);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private static Frame Invite(uint id) =>
        new(FrameType.CallInvite, 0, new(new CallInvite(id, CallMedia.Audio | CallMedia.Video, VideoCodecs.Vp8, 41_000, CallEngines.WebCodecs, RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize)).ToArray()));

    private Task Deliver(PeerSession from, Frame frame) => _signalling.OnFrameAsync(from, frame).AsTask();

    [Fact]
    public async Task Invite_FromAContact_RingsWithItsNameAndAnswersNothingYet()
    {
        var (alice, link) = _sessions.Open("alice");
        await Deliver(alice, Invite(7));
        var call = Assert.Single(_book.All);
        Assert.Equal((7u, "alice", CallState.Ringing, false), (call.Id, call.PeerName, call.State, call.Outgoing));
        Assert.Equal(41_000, call.PeerMedia!.Port);
        Assert.Empty(link.Sent); // the user decides
    }

    [Fact]
    public async Task Invite_SentAgain_IsCollapsedIntoTheRingShowing()
    {
        var (alice, link) = _sessions.Open("alice");
        await Deliver(alice, Invite(7));
        await Deliver(alice, Invite(7));
        await Deliver(alice, Invite(8));
        Assert.Single(_book.All);
        Assert.Empty(link.Sent);
    }

    [Fact]
    public async Task Invite_WithinTheRingInterval_IsRefusedAndOneLaterRings()
    {
        var (alice, link) = _sessions.Open("alice");
        await Deliver(alice, Invite(7));
        await Deliver(alice, new Frame(FrameType.CallEnd, 0, new(new CallEnd(7, "").ToArray())));
        Assert.Equal(("the other side hung up", true), (_book.All.Single().EndReason, _book.All.Single().EndedByPeer));

        await Deliver(alice, Invite(8));
        var refusal = Assert.Single(link.SentOf<CallAnswer>(FrameType.CallAnswer));
        Assert.Equal((8u, false), (refusal.CallId, refusal.Accepted));
        Assert.Contains("ringing too often", refusal.Reason);

        _clock.Advance(CallSignalling.RingInterval);
        await Deliver(alice, Invite(9));
        Assert.Equal(CallState.Ringing, _book.All.Single(c => c.Id == 9).State);
    }

    [Fact]
    public async Task Invite_DuringAnotherCall_IsRefusedAsBusy()
    {
        var (alice, _) = _sessions.Open("alice");
        var (bob, bobLink) = _sessions.Open("bob");
        await Deliver(alice, Invite(7));
        await Deliver(bob, Invite(8));
        Assert.Equal("busy in another call", Assert.Single(bobLink.SentOf<CallAnswer>(FrameType.CallAnswer)).Reason);
        Assert.Single(_book.All);
    }

    [Fact]
    public async Task Answer_ForAnUnknownCallOrAnotherPeersCall_ChangesNothing()
    {
        var (alice, _) = _sessions.Open("alice");
        var (bob, bobLink) = _sessions.Open("bob");
        await Deliver(alice, Invite(7));
        var yes = new CallAnswer(7, true, VideoCodecs.Vp8, 41_000, CallEngines.WebCodecs, "").ToArray();
        await Deliver(bob, new Frame(FrameType.CallAnswer, 0, new(yes))); // bob cannot answer alice's call
        await Deliver(bob, new Frame(FrameType.CallAnswer, 0, new(new CallAnswer(99, true, VideoCodecs.Vp8, 41_000, CallEngines.WebCodecs, "").ToArray())));
        await Deliver(alice, new Frame(FrameType.CallAnswer, 0, new(yes))); // nor can the caller answer its own ring
        Assert.Equal(CallState.Ringing, _book.All.Single().State);
        Assert.Null(_book.All.Single().Session);
        Assert.Empty(bobLink.Sent);
        Assert.Empty(_socket.Routed);
    }

    [Fact]
    public async Task A_malformed_invite_is_a_protocol_error()
    {
        var (alice, _) = _sessions.Open("alice");
        var noAudio = Invite(7).Payload.ToArray();
        noAudio[4] = (byte)CallMedia.Video;
        await Assert.ThrowsAsync<ProtocolException>(() => Deliver(alice, new Frame(FrameType.CallInvite, 0, new(noAudio))));
        Assert.Empty(_book.All);
    }

    [Fact]
    public async Task The_session_closing_ends_the_peers_calls_only()
    {
        var (alice, _) = _sessions.Open("alice");
        await Deliver(alice, Invite(7));
        _signalling.OnSessionClosed(_sessions.Open("bob").Session.Id, "gone");
        Assert.Equal(CallState.Ringing, _book.All.Single().State);
        _signalling.OnSessionClosed(alice.Id, "timed out");
        Assert.Equal("the link to the peer closed: timed out", _book.All.Single().EndReason);
    }

    [Fact]
    public async Task A_page_that_comes_after_the_end_is_let_go_at_once()
    {
        var (alice, _) = _sessions.Open("alice");
        await Deliver(alice, Invite(7));
        _signalling.OnSessionClosed(alice.Id, "gone");
        var late = _book.All.Single().Listen();
        Assert.True(late.Completion.IsCompleted);
    }

    /// <summary>The conversation's one entry, once the call history (written in the background) stored it.</summary>
    private async Task<MessageRecord> EntryAsync(Parley.Core.Identity.DeviceId peer)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await _store.HistoryAsync(peer.Compact, 10)).SingleOrDefault() is { } entry)
            {
                return entry;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException("no entry in the conversation");
    }

    private async Task<int> UnreadAsync(Parley.Core.Identity.DeviceId peer) => (await _store.ConversationsAsync(10)).Single(c => c.Peer == peer.Compact).Unread;

    [Fact]
    public async Task A_ring_the_caller_ends_is_a_missed_call_unread_in_the_conversation()
    {
        var (alice, _) = _sessions.Open("alice");
        await Deliver(alice, Invite(7));
        await Deliver(alice, new Frame(FrameType.CallEnd, 0, new(new CallEnd(7, "").ToArray())));
        var entry = await EntryAsync(alice.Id);
        Assert.Equal((MessageState.MissedCall, "Missed video call", false), (entry.State, entry.Text, entry.Outgoing));
        Assert.Equal(1, await UnreadAsync(alice.Id));
    }

    [Fact]
    public async Task A_ring_while_busy_is_a_missed_call()
    {
        var (alice, _) = _sessions.Open("alice");
        var (bob, _) = _sessions.Open("bob");
        await Deliver(alice, Invite(7));
        await Deliver(bob, Invite(8));
        var entry = await EntryAsync(bob.Id);
        Assert.Equal((MessageState.MissedCall, "Missed video call (you were in another call)"), (entry.State, entry.Text));
    }

    [Fact]
    public async Task Our_own_outgoing_call_is_in_the_conversation_but_never_unread()
    {
        var (alice, _) = _sessions.Open("alice");
        var call = new Call(5, alice.Id, "alice", outgoing: true, CallMedia.Audio | CallMedia.Video, VideoCodecs.Vp8, new byte[MediaCrypto.SecretSize], _clock.GetUtcNow());
        _book.Add(call);
        _lifecycle.End(call, "declined", byPeer: true);
        var entry = await EntryAsync(alice.Id);
        Assert.Equal((MessageState.Call, "Video call: declined", true), (entry.State, entry.Text, entry.Outgoing));
        Assert.Equal(0, await UnreadAsync(alice.Id));
    }

    [Fact]
    public async Task An_answered_call_says_how_long_it_lasted_and_is_not_unread()
    {
        var (alice, _) = _sessions.Open("alice");
        var call = new Call(6, alice.Id, "alice", outgoing: false, CallMedia.Audio, VideoCodecs.Vp8, new byte[MediaCrypto.SecretSize], _clock.GetUtcNow())
        {
            State = CallState.Active,
            AnsweredAt = _clock.GetUtcNow(),
        };
        _book.Add(call);
        _clock.Advance(TimeSpan.FromSeconds(151));
        _lifecycle.End(call, "the other side hung up", byPeer: true);
        var entry = await EntryAsync(alice.Id);
        Assert.Equal((MessageState.Call, "Voice call, 2:31", false), (entry.State, entry.Text, entry.Outgoing));
        Assert.Equal(0, await UnreadAsync(alice.Id));
    }
}
