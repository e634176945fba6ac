using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Chat;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Events;
using Parley.Node.Storage;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Chat;

/// <summary>Replies, edits, deletes for everyone and reactions: who may, until when, how they travel, and search kept in step.</summary>
public sealed class MessageActionTests : IAsyncLifetime
{
    private readonly FakeSessions _sessions = new();
    private readonly FakeMailDrop _mail = new();
    private readonly ManualClock _clock = new();
    private readonly NodeIdentity _bob = NodeIdentity.CreateEphemeral();
    private StoreFolder _folder = null!;
    private ChatService _chat = null!;

    public async Task InitializeAsync()
    {
        _folder = await StoreFolder.OpenAsync();
        await _folder.Contacts.UpdateAsync(_bob.DeviceId, r => r with { State = PeerState.Contact, RemoteName = "bob" });
        _chat = new ChatService(_folder.Store, _folder.Contacts, _sessions, _mail, new EventHub(), _clock, NullLoggerFactory.Instance);
    }

    public async Task DisposeAsync()
    {
        await _folder.DisposeAsync();
        _bob.Dispose();
    }

    [Fact]
    public async Task Edit_WithinTheWindow_ChangesOurCopy_AndGoesToThePeer_UntilAcknowledged()
    {
        var (session, link) = _sessions.Open(_bob.DeviceId, "bob");
        var sent = await _chat.SendAsync(_bob.DeviceId, "see you at 5");
        _clock.Now += TimeSpan.FromMinutes(14);
        var edited = await _chat.EditAsync(_bob.DeviceId, sent.Id, "see you at 6");
        Assert.Equal("see you at 6", edited.Text);
        Assert.Equal(_clock.Now, edited.EditedAt);
        var action = Assert.Single(link.SentOf<ChatAction>(FrameType.ChatAction));
        Assert.Equal((ChatActionKind.Edit, sent.Id, "see you at 6"), (action.Kind, action.Target, action.Text));

        // Not acknowledged yet: the next session sends it again; once acknowledged, never again.
        var (again, relink) = _sessions.Open(_bob.DeviceId, "bob");
        await _chat.OnSessionOpenedAsync(again);
        Assert.Equal(action.Id, Assert.Single(relink.SentOf<ChatAction>(FrameType.ChatAction)).Id);
        await _chat.OnFrameAsync(again, Frame(FrameType.ChatAck, new ChatAck(action.Id).ToArray()));
        await Wait.UntilAsync(async () => (await _folder.Store.PendingActionsAsync(_bob.DeviceId.Compact)).Count == 0, "the ack to land");
        _ = session;
    }

    [Fact]
    public async Task EditAndDelete_PastTheirWindows_AreRefused_WithTheReason()
    {
        var sent = await _chat.SendAsync(_bob.DeviceId, "typo hree");
        _clock.Now += TimeSpan.FromMinutes(16);
        var refused = await Assert.ThrowsAsync<ChatException>(() => _chat.EditAsync(_bob.DeviceId, sent.Id, "typo here"));
        Assert.Equal("a message can be edited for 15 min after it was sent; this one was sent 16 min ago", refused.Message);
        _clock.Now += TimeSpan.FromHours(24);
        await Assert.ThrowsAsync<ChatException>(() => _chat.DeleteAsync(_bob.DeviceId, sent.Id));
        Assert.Equal("typo hree", Assert.Single(await _chat.HistoryAsync(_bob.DeviceId, 10)).Text);
        Assert.Empty(await _folder.Store.PendingActionsAsync(_bob.DeviceId.Compact));
    }

    [Fact]
    public async Task AnEditOrDeleteFromTheOtherSide_OfOurMessage_IsRefused_ButAcknowledged()
    {
        var (session, link) = _sessions.Open(_bob.DeviceId, "bob");
        var ours = await _chat.SendAsync(_bob.DeviceId, "I said this");
        var forged = new ChatAction(Guid.CreateVersion7(), _clock.Now, ChatActionKind.Edit, ours.Id, "bob rewrote it");
        await _chat.OnFrameAsync(session, Frame(FrameType.ChatAction, forged.ToArray()));
        var wiped = new ChatAction(Guid.CreateVersion7(), _clock.Now, ChatActionKind.Delete, ours.Id, "");
        await _chat.OnFrameAsync(session, Frame(FrameType.ChatAction, wiped.ToArray()));
        await Wait.UntilAsync(() => link.SentOf<ChatAck>(FrameType.ChatAck).Count == 2, "both acknowledged");
        var kept = Assert.Single(await _chat.HistoryAsync(_bob.DeviceId, 10));
        Assert.Equal(("I said this", false, null), (kept.Text, kept.Deleted, kept.EditedAt));
    }

    [Fact]
    public async Task AFileEntry_TakesItsIdFromThePeer_YetThePeerCannotRewriteOrDeleteIt()
    {
        // The transfer's row in the conversation has the offer ID the sender chose, and is not "ours" (outgoing = 0):
        // an edit aimed at it would let the sender rename "setup.desktop" to "photo.jpg" beside the Open button.
        var offer = Guid.CreateVersion7();
        await _folder.Store.InsertMessageAsync(offer, _bob.DeviceId.Compact, outgoing: false, "setup.desktop", _clock.Now, MessageState.File);
        foreach (var kind in new[] { ChatActionKind.Edit, ChatActionKind.Delete, ChatActionKind.React })
        {
            var action = new ChatAction(Guid.CreateVersion7(), _clock.Now, kind, offer, kind == ChatActionKind.React ? "🎉" : "photo.jpg");
            Assert.Equal("only a message can be changed", await _chat.ApplyIncomingAsync(_bob.DeviceId, action));
        }
        Assert.Equal(("setup.desktop", false), await _folder.Store.FindMessageAsync(offer, _bob.DeviceId.Compact) is { } row ? (row.Text, row.Deleted) : default);
    }

    [Fact]
    public async Task ThePeersEdit_OfItsOwnMessage_Counts_OnlyWithinTheWindow_AndNeverGoesBack()
    {
        var theirs = new ChatMessage(Guid.CreateVersion7(), _clock.Now, "draft");
        await _chat.StoreIncomingAsync(_bob.DeviceId, theirs);
        Edit(out var late, theirs, TimeSpan.FromMinutes(20), "too late");
        Assert.Equal("the time to edit it has passed", await _chat.ApplyIncomingAsync(_bob.DeviceId, late));
        Edit(out var second, theirs, TimeSpan.FromMinutes(2), "second");
        Edit(out var first, theirs, TimeSpan.FromMinutes(1), "first");
        Assert.Null(await _chat.ApplyIncomingAsync(_bob.DeviceId, second));
        Assert.Null(await _chat.ApplyIncomingAsync(_bob.DeviceId, first)); // came later (the mailbox): older, so it loses
        Assert.Equal("second", Assert.Single(await _chat.HistoryAsync(_bob.DeviceId, 10)).Text);
    }

    [Fact]
    public async Task Reactions_Toggle_AreCounted_AndOnlyTheOfferedOnesAreTaken()
    {
        var theirs = new ChatMessage(Guid.CreateVersion7(), _clock.Now, "pizza?");
        await _chat.StoreIncomingAsync(_bob.DeviceId, theirs);
        Assert.Null(await _chat.ApplyIncomingAsync(_bob.DeviceId, new ChatAction(Guid.CreateVersion7(), _clock.Now, ChatActionKind.React, theirs.Id, "🎉")));
        Assert.Equal("not one of the reactions on offer",
            await _chat.ApplyIncomingAsync(_bob.DeviceId, new ChatAction(Guid.CreateVersion7(), _clock.Now, ChatActionKind.React, theirs.Id, "buy now")));
        _clock.Now += TimeSpan.FromSeconds(1);
        var on = await _chat.ToggleReactionAsync(_bob.DeviceId, theirs.Id, "🎉");
        Assert.Equal(new ReactionView("🎉", 2, Mine: true), Assert.Single(on.Reactions!));
        _clock.Now += TimeSpan.FromSeconds(1);
        var off = await _chat.ToggleReactionAsync(_bob.DeviceId, theirs.Id, "🎉");
        Assert.Equal(new ReactionView("🎉", 1, Mine: false), Assert.Single(off.Reactions!));
        await Assert.ThrowsAsync<ChatException>(() => _chat.ToggleReactionAsync(_bob.DeviceId, theirs.Id, "💩"));
    }

    [Fact]
    public async Task AReply_CarriesItsQuote_AndAnOfflinePeerGetsItAndTheEdit_ByMail()
    {
        _mail.Reachable = true;
        var question = new ChatMessage(Guid.CreateVersion7(), _clock.Now, "lunch at noon?");
        await _chat.StoreIncomingAsync(_bob.DeviceId, question);
        var reply = await _chat.SendAsync(_bob.DeviceId, "yes!", question.Id);
        Assert.Equal(MessageState.Mailed, reply.State);
        Assert.Equal(new QuoteView(question.Id, "lunch at noon?", false, false), reply.Quote);
        await _chat.EditAsync(_bob.DeviceId, reply.Id, "yes, at the usual place");
        Assert.Equal([ChatActionKind.Reply, ChatActionKind.Edit], _mail.DroppedActions.Select(a => a.Kind));
        Assert.Empty(_mail.Dropped);
        var history = await _chat.ViewsAsync(_bob.DeviceId, await _chat.HistoryAsync(_bob.DeviceId, 10));
        Assert.Equal("lunch at noon?", history[1].Quote!.Text);
    }

    [Fact]
    public async Task Search_FollowsInsertEditAndDelete()
    {
        var (session, _) = _sessions.Open(_bob.DeviceId, "bob");
        var sent = await _chat.SendAsync(_bob.DeviceId, "the blue heron landed");
        await _chat.StoreIncomingAsync(_bob.DeviceId, new ChatMessage(Guid.CreateVersion7(), _clock.Now, "Heronsgate station, \"quoted\" OR NOT"));
        Assert.Equal(2, (await _folder.Store.SearchAsync("heron", 10)).Count);
        Assert.Single(await _folder.Store.SearchAsync("\"quoted\" OR", 10)); // typed syntax is searched for, not obeyed
        await _chat.EditAsync(_bob.DeviceId, sent.Id, "the grey egret landed");
        Assert.Single(await _folder.Store.SearchAsync("heron", 10));
        var hit = Assert.Single(await _folder.Store.SearchAsync("egret lan", 10));
        Assert.Equal(sent.Id, hit.Message.Id);
        await _chat.DeleteAsync(_bob.DeviceId, sent.Id);
        Assert.Empty(await _folder.Store.SearchAsync("egret", 10));
        Assert.Empty(await _folder.Store.SearchAsync("  ", 10));
        _ = session;
    }

    private void Edit(out ChatAction action, ChatMessage of, TimeSpan after, string text) =>
        action = new ChatAction(Guid.CreateVersion7(), of.SentAt + after, ChatActionKind.Edit, of.Id, text);

    private static Frame Frame(FrameType type, byte[] payload) => new(type, 0, new ReadOnlySequence<byte>(payload));

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
