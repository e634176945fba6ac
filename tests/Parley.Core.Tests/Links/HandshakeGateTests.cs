using System.Net;
using System.Net.Sockets;
using Parley.Core.Links;

namespace Parley.Core.Tests.Links;

/// <summary>The handshake budget: per source, silent ones evicted first, a first-byte deadline, TLS slots per source and in all.</summary>
public sealed class HandshakeGateTests : IDisposable
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _sockets = [];

    public HandshakeGateTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
    }

    /// <summary>A connected loopback pair: the accepted end (what the gate watches) and the client end (what the test writes to).</summary>
    private async Task<(Socket Accepted, Socket Client)> PairAsync()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_listener.LocalEndPoint!);
        var accepted = await _listener.AcceptAsync();
        _sockets.Add(client);
        _sockets.Add(accepted);
        return (accepted, client);
    }

    private static LinkOptions Small => new()
    {
        MaxPendingPerAddress = 3,
        MaxPendingConnections = 5,
        MaxHandshakesPerAddress = 1,
        MaxConcurrentHandshakes = 2,
        FirstByteTimeout = TimeSpan.FromSeconds(5),
        HandshakeTimeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task FullSource_NewConnection_EvictsItsOldestSilentOne()
    {
        var gate = new HandshakeGate(Small);
        var (silent, _) = await PairAsync();
        var oldest = gate.TryAdmit(A)!;
        var waiting = oldest.ReadyAsync(silent, CancellationToken.None);
        var (spoke, spokeClient) = await PairAsync();
        var talker = gate.TryAdmit(A)!;
        await spokeClient.SendAsync(new byte[] { 22 });
        await talker.ReadyAsync(spoke, CancellationToken.None); // takes A's only slot
        var third = gate.TryAdmit(A)!;
        Assert.Equal(3, gate.Pending);

        var fourth = gate.TryAdmit(A);
        Assert.NotNull(fourth);
        var error = await Assert.ThrowsAsync<LinkFailedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("too many connections", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, gate.Pending);
        Assert.True(talker.Handshaking);
        oldest.Dispose();
        third.Dispose();
        fourth.Dispose();
        talker.Dispose();
        Assert.Equal(0, gate.Pending);
        Assert.Equal(0, gate.Handshaking);
    }

    [Fact]
    public async Task FullSource_AllHandshaking_RefusesTheNewOne_OtherSourcesStillAdmitted()
    {
        var gate = new HandshakeGate(Small with { MaxHandshakesPerAddress = 3, MaxConcurrentHandshakes = 3 });
        var tickets = new List<HandshakeTicket>();
        for (var i = 0; i < 3; i++)
        {
            var (accepted, client) = await PairAsync();
            var ticket = gate.TryAdmit(A)!;
            await client.SendAsync(new byte[] { 22 });
            await ticket.ReadyAsync(accepted, CancellationToken.None);
            tickets.Add(ticket);
        }
        Assert.Null(gate.TryAdmit(A));
        using var other = gate.TryAdmit(B);
        Assert.NotNull(other);
        tickets.ForEach(t => t.Dispose());
    }

    [Fact]
    public async Task SilentConnection_IsDroppedAfterTheFirstByteTimeout()
    {
        var gate = new HandshakeGate(Small with { FirstByteTimeout = TimeSpan.FromMilliseconds(200) });
        var (silent, _) = await PairAsync();
        using var ticket = gate.TryAdmit(A)!;
        var error = await Assert.ThrowsAsync<LinkFailedException>(() => ticket.ReadyAsync(silent, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("nothing received within", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneSourcesSlotsFull_AnotherSourceHandshakesAtOnce_AndTheWaiterGetsTheNextFreedSlot()
    {
        var gate = new HandshakeGate(Small);
        var (first, firstClient) = await PairAsync();
        var (second, secondClient) = await PairAsync();
        var (fromB, fromBClient) = await PairAsync();
        foreach (var client in new[] { firstClient, secondClient, fromBClient })
        {
            await client.SendAsync(new byte[] { 22 });
        }
        var holder = gate.TryAdmit(A)!;
        await holder.ReadyAsync(first, CancellationToken.None);
        using var waiter = gate.TryAdmit(A)!;
        var waiting = waiter.ReadyAsync(second, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted); // A's one slot is taken

        using var other = gate.TryAdmit(B)!;
        await other.ReadyAsync(fromB, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, gate.Handshaking);

        holder.Dispose();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(waiter.Handshaking);
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb::9", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", true)]
    [InlineData("192.0.2.1", "192.0.2.2", false)]
    public void Sources_AreIPv4Addresses_AndIPv6Slash64s(string one, string two, bool same) =>
        Assert.Equal(same, HandshakeGate.KeyOf(IPAddress.Parse(one)).Equals(HandshakeGate.KeyOf(IPAddress.Parse(two))));

    public void Dispose()
    {
        _sockets.ForEach(s => s.Dispose());
        _listener.Dispose();
    }
}
