using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parley.Node.Tests.Links;

/// <summary>
/// Dial rounds race their candidates (happy eyeballs): an address whose SYNs vanish costs the next
/// candidate only its stagger, not the 10 s handshake timeout, and of two addresses that both reach
/// the peer only one links (the peer never sees a second hello).
/// </summary>
public sealed class DialRaceTests : IAsyncLifetime
{
    private TestNode _alice = null!;
    private TestNode _bob = null!;

    public async Task InitializeAsync()
    {
        _alice = await TestNode.StartAsync("alice");
        _bob = await TestNode.StartAsync("bob");
    }

    public async Task DisposeAsync()
    {
        await _bob.DisposeAsync();
        await _alice.DisposeAsync();
    }

    [Fact]
    public async Task Race_FirstCandidateDropsSyns_LinksWithinTheStagger()
    {
        using var sink = SynSink.Open();
        var clock = Stopwatch.StartNew();
        var link = await _alice.Node.Links.RaceAsync(_bob.Id, $"{sink.EndPoint},{_bob.Address}", withRelay: false);
        var took = clock.Elapsed;
        Assert.NotNull(link);
        await using (link)
        {
            Assert.Equal(_bob.Id, link.RemoteId);
            Assert.Equal(_bob.Node.PeerPort, link.RemoteEndPoint.Port);
            // The stagger (250 ms) plus a loopback handshake; the dropped candidate alone would have cost 10 s.
            Assert.True(took < TimeSpan.FromSeconds(1.5), $"linked after {took.TotalMilliseconds:0} ms");
        }
    }

    [Fact]
    public async Task Race_TwoCandidatesReachThePeer_ItLinksOnce()
    {
        await using var link = await _alice.Node.Links.RaceAsync(_bob.Id, $"127.0.0.1:{_bob.Node.PeerPort},localhost:{_bob.Node.PeerPort}", withRelay: false);
        Assert.NotNull(link);
        await _alice.Node.Links.RegisterAsync(link);
        await Wait.UntilAsync(() => _bob.Node.Links.Session(_alice.Id) is not null, "bob's side of the link");
        var first = _bob.Node.Links.Session(_alice.Id)!.Link;
        await Task.Delay(600); // the other candidate had time to finish its TLS handshake
        Assert.Same(first, _bob.Node.Links.Session(_alice.Id)?.Link);
        Assert.False(link.IsClosed);
    }

    /// <summary>
    /// A loopback address that drops SYNs, as a firewall does: a listener whose accept queue is full
    /// (Linux drops a SYN for a full queue instead of answering it) and that never accepts.
    /// </summary>
    private sealed class SynSink : IDisposable
    {
        private readonly Socket _listener;
        private readonly List<Socket> _fillers = [];

        private SynSink(Socket listener) => _listener = listener;

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

        public static SynSink Open()
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(0);
            var sink = new SynSink(listener);
            for (var i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sink._fillers.Add(filler);
                if (!filler.ConnectAsync(sink.EndPoint).Wait(TimeSpan.FromMilliseconds(300)))
                {
                    return sink; // this SYN was dropped: the queue is full
                }
            }
            sink.Dispose();
            throw new InvalidOperationException("the accept queue never filled: this kernel answers SYNs to a full queue");
        }

        public void Dispose()
        {
            foreach (var filler in _fillers)
            {
                filler.Dispose();
            }
            _listener.Dispose();
        }
    }
}
