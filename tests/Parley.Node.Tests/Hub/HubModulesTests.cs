using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Hub;
using Parley.Node.Links;
using Parley.Node.Rooms;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Hub;

/// <summary>The hub and rooms modules, resolved from a container as the composition root will: no cycles, nothing missing, each hub frame owned once.</summary>
public sealed class HubModulesTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-modules-").FullName;
    private readonly NodeIdentity _identity = NodeIdentity.CreateEphemeral();
    private readonly AgreementKey _agreement = AgreementKey.CreateEphemeral();
    private NodeStore _store = null!;

    public Task InitializeAsync()
    {
        _store = NodeStore.Open(_home);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _identity.Dispose();
        _agreement.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Modules_Resolve_WithoutCycles_AndOwnEveryFrameTheHubSends()
    {
        var options = new NodeOptions { Home = _home };
        var services = new ServiceCollection()
            .AddSingleton(options)
            .AddSingleton(TimeProvider.System)
            .AddSingleton(_identity)
            .AddSingleton(_agreement)
            .AddSingleton(_store)
            .AddSingleton(await ContactBook.LoadAsync(_store, TimeProvider.System))
            .AddSingleton(new EventHub())
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton<Func<string>>(() => "me")
            .AddSingleton<LinkManager>()
            .AddSingleton<ChatService>();
        new HubModule().AddServices(services);
        new RoomsModule().AddServices(services);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var router = provider.GetRequiredService<HubFrameRouter>();
        var owned = router.Features.SelectMany(f => f.Frames).Select(s => s.Type).Order().ToList();
        FrameType[] fromTheHub =
        [
            FrameType.Presence, FrameType.WhoisResult, FrameType.RelayTicket, FrameType.RelayRefused, FrameType.MailboxResult, FrameType.MailboxItem,
            FrameType.RoomReply, FrameType.RoomNotice, FrameType.RoomKey, FrameType.RoomMessage,
        ];
        Assert.Equal(fromTheHub.Order(), owned);
        Assert.All(owned, type => Assert.Contains(HubFrames.Specs, s => s.Type == type));
        Assert.IsType<RelayDialer>(provider.GetRequiredService<IRelayDialer>());
        Assert.IsType<MailDrop>(provider.GetRequiredService<IMailDrop>());
        Assert.Contains(provider.GetServices<INodeService>(), s => s is HubConnection);
        Assert.Same(provider.GetRequiredService<RoomMembership>(), router.Features.OfType<RoomMembership>().Single());
    }
}
