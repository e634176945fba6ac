using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Core.Calls;
using Parley.Core.Files;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Calls;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Files;
using Parley.Node.Hub;
using Parley.Node.Links;
using Parley.Node.Rooms;
using Parley.Node.Storage;
using Parley.Node.Videos;

namespace Parley.Node;

// INTERIM (this branch only): registrations for the features whose own modules land with their
// restructuring; replaced by FilesModule, VideosModule, CallsModule, HubModule and RoomsModule.

internal sealed class DelegatingPeerFeature(IReadOnlyList<FrameSpec> frames, Func<PeerSession, Frame, ValueTask> onFrame,
    Func<PeerSession, Task>? opened = null, Action<DeviceId, string>? closed = null) : IPeerFeature
{
    public IReadOnlyList<FrameSpec> Frames => frames;

    public ValueTask OnFrameAsync(PeerSession session, Frame frame) => onFrame(session, frame);

    public Task OnSessionOpenedAsync(PeerSession session) => opened?.Invoke(session) ?? Task.CompletedTask;

    public void OnSessionClosed(DeviceId peer, string reason) => closed?.Invoke(peer, reason);
}

internal sealed class DelegatingService(Func<Task> start, Func<Task> stop) : INodeService
{
    public Task StartAsync(CancellationToken cancellationToken) => start();

    public Task StopAsync() => stop();
}

public sealed class InterimHubModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var links = sp.GetRequiredService<LinkManager>();
            var profile = sp.GetRequiredService<NodeProfile>();
            var hub = new HubClient(sp.GetRequiredService<NodeIdentity>(), sp.GetRequiredService<AgreementKey>(), sp.GetRequiredService<NodeOptions>(),
                sp.GetRequiredService<NodeStore>(), sp.GetRequiredService<EventHub>(), sp.GetRequiredService<ILoggerFactory>(), () => profile.Name, () => links.ListenPort);
            var contacts = sp.GetRequiredService<ContactBook>();
            hub.MemberSeen = member =>
            {
                if (member.Online && member.Address.Length > 0 && contacts.Find(member.DeviceId) is { State: PeerState.Contact } contact
                    && contact.Address?.Contains(member.Address, StringComparison.Ordinal) != true)
                {
                    _ = contacts.UpdateAsync(member.DeviceId, r => r with { Address = LinkManager.MergeAddress(r.Address, member.Address) });
                }
            };
            links.CanRelayTo = hub.CanRelayTo;
            links.OpenRelay = hub.OpenRelayAsync;
            hub.RelayInvited = (peer, open) =>
                contacts.Find(peer)?.State is PeerState.Blocked or PeerState.Denied ? Task.CompletedTask : links.AcceptRelayedAsync(open);
            return hub;
        });
        services.AddSingleton<IMailDrop>(sp => new Mailbox(sp.GetRequiredService<NodeIdentity>(), sp.GetRequiredService<HubClient>()));
        services.AddSingleton(sp => new RoomService(sp.GetRequiredService<NodeIdentity>(), sp.GetRequiredService<AgreementKey>(), sp.GetRequiredService<HubClient>(),
            sp.GetRequiredService<NodeStore>(), sp.GetRequiredService<EventHub>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<INodeService>(sp =>
        {
            var hub = sp.GetRequiredService<HubClient>();
            _ = sp.GetRequiredService<RoomService>();
            var inbox = new MailInbox(sp.GetRequiredService<NodeIdentity>(), sp.GetRequiredService<AgreementKey>(), sp.GetRequiredService<ContactBook>(),
                sp.GetRequiredService<ChatService>());
            hub.MailReceived = inbox.ReceiveAsync;
            return new DelegatingService(() => hub.StartAsync(sp.GetRequiredService<NodeOptions>().HubInvite), () => hub.DisposeAsync().AsTask());
        });
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
    }
}
