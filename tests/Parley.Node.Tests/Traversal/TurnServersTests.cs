using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Traversal;
using Parley.Node.Traversal;
using Parley.Testing;

namespace Parley.Node.Tests.Traversal;

public sealed class TurnServersTests
{
    private static readonly TurnOptions Fast = new() { InitialRto = TimeSpan.FromMilliseconds(100), MaxAttempts = 3 };

    private static TurnServer Server(string uri) =>
        TurnServer.TryParse(uri, CoturnProcess.User, CoturnProcess.Password, out var server, out var error) ? server : throw new InvalidOperationException(error);

    private static TurnServers Configured(params TurnServer[] servers) =>
        new(new NodeOptions { Home = Path.GetTempPath(), TurnServers = servers, Turn = Fast }, NullLoggerFactory.Instance);

    [Fact]
    public async Task NoServers_GiveNoRelay() => Assert.Null(await Configured().TryCreateAsync(CancellationToken.None));

    [Fact]
    public async Task ASilentServer_IsSkipped_ForTheNextOne()
    {
        await using var coturn = await CoturnProcess.StartAsync();
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var servers = Configured(Server($"turn:127.0.0.1:{((IPEndPoint)silent.LocalEndPoint!).Port}"), Server(coturn.Uri));
        await using var relay = await servers.TryCreateAsync(CancellationToken.None);
        Assert.NotNull(relay);
        Assert.Equal("turn", relay.Kind);
        Assert.Equal(IPAddress.Loopback, relay.RelayedAddress.Address);
    }
}
