using System.Net;
using System.Net.Sockets;
using Parley.Core.Traversal;
using Parley.Testing;

namespace Parley.Core.Tests.Traversal;

/// <summary>The TURN client against Debian's real coturn, started per test on loopback with its own config.</summary>
public sealed class TurnAllocationTests
{
    private static TurnServer Server(CoturnProcess coturn, string password = CoturnProcess.Password) =>
        TurnServer.TryParse(coturn.Uri, CoturnProcess.User, password, out var server, out var error) ? server : throw new InvalidOperationException(error);

    private static readonly TurnOptions Fast = new() { InitialRto = TimeSpan.FromMilliseconds(200), MaxAttempts = 4 };

    internal static async Task<(IPEndPoint From, byte[] Data)?> ReceiveWithinAsync(IMediaRelay relay, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[2048];
        try
        {
            var (from, length) = await relay.ReceiveAsync(buffer, timeout.Token);
            return (from, buffer[..length]);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task AssertRelaysAsync(TurnAllocation from, TurnAllocation to, string text)
    {
        await from.SendAsync(to.RelayedAddress, System.Text.Encoding.UTF8.GetBytes(text), CancellationToken.None);
        var received = await ReceiveWithinAsync(to, TimeSpan.FromSeconds(3));
        Assert.True(received is not null, $"'{text}' did not arrive");
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(received.Value.Data));
        Assert.Equal(from.RelayedAddress, received.Value.From);
    }

    private static async Task WaitBoundAsync(TurnAllocation allocation, IPEndPoint peer)
    {
        for (var i = 0; i < 50 && !allocation.IsBound(peer); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(allocation.IsBound(peer), "the channel was never bound");
    }

    [Fact]
    public async Task TwoAllocations_ExchangeDatagrams_BothWays_ByIndicationThenByChannel()
    {
        await using var coturn = await CoturnProcess.StartAsync();
        await using var alice = await TurnAllocation.AllocateAsync(Server(coturn), Fast);
        await using var bob = await TurnAllocation.AllocateAsync(Server(coturn), Fast);
        Assert.Equal(IPAddress.Loopback, alice.RelayedAddress.Address);
        Assert.NotEqual(alice.RelayedAddress, bob.RelayedAddress);
        Assert.Equal(IPAddress.Loopback, alice.MappedAddress?.Address);
        Assert.Equal("turn", alice.Kind);

        await alice.PermitAsync(bob.RelayedAddress, CancellationToken.None);
        await bob.PermitAsync(alice.RelayedAddress, CancellationToken.None);
        await AssertRelaysAsync(alice, bob, "hello bob");
        await AssertRelaysAsync(bob, alice, "hello alice");

        await WaitBoundAsync(alice, bob.RelayedAddress);
        await WaitBoundAsync(bob, alice.RelayedAddress);
        var large = new string('x', 1200);
        await AssertRelaysAsync(alice, bob, "over a channel " + large);
        await AssertRelaysAsync(bob, alice, "back over a channel " + large);
    }

    [Fact]
    public async Task WrongPassword_FailsWithAClearError()
    {
        await using var coturn = await CoturnProcess.StartAsync();
        var error = await Assert.ThrowsAsync<TurnException>(() => TurnAllocation.AllocateAsync(Server(coturn, "not-the-password"), Fast));
        Assert.Equal(401, error.Code);
        Assert.Contains("wrong user name or password", error.Message, StringComparison.Ordinal);
        Assert.Contains(coturn.Uri, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeerWithoutPermission_GetsNothingThrough()
    {
        await using var coturn = await CoturnProcess.StartAsync();
        await using var alice = await TurnAllocation.AllocateAsync(Server(coturn), Fast);
        await using var bob = await TurnAllocation.AllocateAsync(Server(coturn), Fast);
        await using var mallory = await TurnAllocation.AllocateAsync(Server(coturn), Fast);
        await alice.PermitAsync(bob.RelayedAddress, CancellationToken.None);
        await bob.PermitAsync(alice.RelayedAddress, CancellationToken.None);
        await mallory.PermitAsync(alice.RelayedAddress, CancellationToken.None);
        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        plain.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        await mallory.SendAsync(alice.RelayedAddress, "let me in"u8.ToArray(), CancellationToken.None);
        await plain.SendToAsync("me too"u8.ToArray(), SocketFlags.None, alice.RelayedAddress);
        Assert.Null(await ReceiveWithinAsync(alice, TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => alice.SendAsync(mallory.RelayedAddress, "no"u8.ToArray(), CancellationToken.None).AsTask());

        await AssertRelaysAsync(bob, alice, "from the permitted peer"); // and only that arrives
        Assert.Null(await ReceiveWithinAsync(alice, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Refresh_KeepsItAlive_PastAShortLifetime_ThroughStaleNonces()
    {
        await using var coturn = await CoturnProcess.StartAsync(options: ["max-allocate-lifetime=3", "permission-lifetime=3", "channel-lifetime=3", "stale-nonce=2"]);
        var options = Fast with { PermissionRefresh = TimeSpan.FromSeconds(1) };
        await using var alice = await TurnAllocation.AllocateAsync(Server(coturn), options);
        await using var bob = await TurnAllocation.AllocateAsync(Server(coturn), options);
        await alice.PermitAsync(bob.RelayedAddress, CancellationToken.None);
        await bob.PermitAsync(alice.RelayedAddress, CancellationToken.None);
        await WaitBoundAsync(alice, bob.RelayedAddress);
        await WaitBoundAsync(bob, alice.RelayedAddress);

        await Task.Delay(TimeSpan.FromSeconds(8)); // well past the 3 s lifetime and nonce
        await AssertRelaysAsync(alice, bob, "still here");
        await AssertRelaysAsync(bob, alice, "me too");
        var log = coturn.Log;
        Assert.Contains("error 438", log, StringComparison.Ordinal); // stale nonces were met, and answered
        Assert.Contains("REFRESH processed, success", log, StringComparison.Ordinal);
        Assert.Contains("CHANNEL_BIND processed, success", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_DeletesTheAllocation_SoAOneAllocationQuotaIsFreeAgain()
    {
        await using var coturn = await CoturnProcess.StartAsync(options: ["user-quota=1"]);
        var first = await TurnAllocation.AllocateAsync(Server(coturn), Fast);
        var refused = await Assert.ThrowsAsync<TurnException>(() => TurnAllocation.AllocateAsync(Server(coturn), Fast));
        Assert.Equal(486, refused.Code); // the quota holds while the first lives
        await first.DisposeAsync();
        // coturn frees the quota when its timer next sweeps the deleted session (about a second);
        // without the delete it would hold for the allocation's 600 s.
        TurnAllocation? second = null;
        for (var i = 0; i < 40 && second is null; i++)
        {
            try
            {
                second = await TurnAllocation.AllocateAsync(Server(coturn), Fast);
            }
            catch (TurnException e) when (e.Code == 486)
            {
                await Task.Delay(100);
            }
        }
        Assert.True(second is not null, coturn.Log);
        await using var _ = second;
        Assert.NotEqual(IPAddress.None, second.RelayedAddress.Address);
    }
}
