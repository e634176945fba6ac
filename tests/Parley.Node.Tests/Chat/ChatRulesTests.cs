using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Chat;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Events;
using Parley.Node.Storage;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Chat;

/// <summary>Chat's rules on their own: a fake link and session list, a fake mailbox, a real store in a temp folder. No node, no sockets.</summary>
public sealed class ChatRulesTests : IAsyncLifetime
{
    private readonly FakeSessions _sessions = new();
    private readonly FakeMailDrop _mail = new();
    private readonly EventHub _events = new();
    private readonly NodeIdentity _bob = NodeIdentity.CreateEphemeral();
    private StoreFolder _folder = null!;
    private ChatService _chat = null!;

    public async Task InitializeAsync()
    {
        _folder = await StoreFolder.OpenAsync();
        await _folder.Contacts.UpdateAsync(_bob.DeviceId, r => r with { State = PeerState.Contact, RemoteName = "bob" });
        _chat = new ChatService(_folder.Store, _folder.Contacts, _sessions, _mail, _events, TimeProvider.System, NullLoggerFactory.Instance);
    }

    public async Task DisposeAsync()
    {
        await _folder.DisposeAsync();
        _bob.Dispose();
    }

    [Fact]
    public async Task Send_ToAnOnlineContact_GoesOverItsLink_AsSent()
    {
        var (_, link) = _sessions.Open(_bob.DeviceId, "bob");
        var record = await _chat.SendAsync(_bob.DeviceId, "hi");
        Assert.Equal(MessageState.Sent, record.State);
        Assert.Equal("hi", Assert.Single(link.SentOf<ChatMessage>(FrameType.ChatMessage)).Text);
        Assert.Empty(_mail.Dropped);
    }

    [Fact]
    public async Task Send_ToAnOfflineContact_WithAHub_IsMailed_AndStillResentOnReconnect()
    {
        _mail.Reachable = true;
        var record = await _chat.SendAsync(_bob.DeviceId, "while you were out");
        Assert.Equal(MessageState.Mailed, record.State);
        Assert.Equal("while you were out", Assert.Single(_mail.Dropped).Text);
        var (session, link) = _sessions.Open(_bob.DeviceId);
        await _chat.OnSessionOpenedAsync(session);
        Assert.Equal(record.Id, Assert.Single(link.SentOf<ChatMessage>(FrameType.ChatMessage)).Id);
    }

    [Fact]
    public async Task Send_WhenTheMailboxRefuses_StaysQueued_WithTheReason()
    {
        _mail.Reachable = true;
        _mail.Refusal = "bob has no entry at the hub to encrypt to";
        var record = await _chat.SendAsync(_bob.DeviceId, "hello?");
        Assert.Equal(MessageState.Queued, record.State);
        Assert.Equal(_mail.Refusal, record.Warning);
    }

    [Fact]
    public async Task Send_ToAStranger_OrOverTheCap_IsRefused_AndNothingIsStored()
    {
        using var stranger = NodeIdentity.CreateEphemeral();
        await Assert.ThrowsAsync<ChatException>(() => _chat.SendAsync(stranger.DeviceId, "hi"));
        await Assert.ThrowsAsync<ChatException>(() => _chat.SendAsync(_bob.DeviceId, new string('x', ChatMessage.MaxTextBytes + 1)));
        await Assert.ThrowsAsync<ChatException>(() => _chat.SendAsync(_bob.DeviceId, ""));
        Assert.Empty(await _chat.HistoryAsync(_bob.DeviceId, 10));
    }

    [Fact]
    public async Task AResentMessage_IsAcknowledgedAgain_ButStoredOnce()
    {
        var (session, link) = _sessions.Open(_bob.DeviceId);
        var message = new ChatMessage(Guid.CreateVersion7(), DateTimeOffset.UnixEpoch, "once");
        var frame = new Frame(FrameType.ChatMessage, 0, new System.Buffers.ReadOnlySequence<byte>(message.ToArray()));
        await _chat.OnFrameAsync(session, frame);
        await _chat.OnFrameAsync(session, frame);
        await Wait.UntilAsync(() => link.SentOf<ChatAck>(FrameType.ChatAck).Count == 2, "two acks");
        Assert.All(link.SentOf<ChatAck>(FrameType.ChatAck), ack => Assert.Equal(message.Id, ack.Id));
        Assert.Single(await _chat.HistoryAsync(_bob.DeviceId, 10));
    }

    [Fact]
    public async Task AMalformedChatFrame_IsAProtocolError()
    {
        var (session, _) = _sessions.Open(_bob.DeviceId);
        var frame = new Frame(FrameType.ChatAck, 0, new System.Buffers.ReadOnlySequence<byte>(new byte[3]));
        await Assert.ThrowsAsync<ProtocolException>(async () => await _chat.OnFrameAsync(session, frame));
    }
}
