using System.Diagnostics;
using System.Net;
using Parley.Testing;

namespace Parley.Node.Tests.Security;

/// <summary>
/// Two hundred connections from one address that never send a byte: they may not hold the
/// handshake slots. A real peer from the same address links as fast as a handshake takes.
/// </summary>
public sealed class SlowLorisTests
{
    /// <summary>Well under the 10 s a handshake may take, and the 3 s the silent ones are given.</summary>
    private static readonly TimeSpan Handshake = TimeSpan.FromSeconds(2.5);

    [Fact]
    public async Task TwoHundredSilentSockets_DoNotKeepARealPeerOut()
    {
        await using var bob = await TestNode.StartAsync("bob");
        await using var alice = await TestNode.StartAsync("alice");
        var sockets = await RawConnections.OpenAsync(IPEndPoint.Parse(bob.Address), 200);
        try
        {
            // Only alice knows where bob is, so the link must come through bob's listener, past the silent sockets.
            await bob.Node.Links.MakeContactAsync(alice.Id);
            var clock = Stopwatch.StartNew();
            await alice.Node.Links.MakeContactAsync(bob.Id, address: bob.Address);
            await Wait.UntilAsync(() => alice.Node.Links.Session(bob.Id)?.IsOpen == true && bob.Node.Links.Session(alice.Id)?.IsOpen == true, "alice linked");
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, Handshake);
            Assert.InRange(await LegitimateChat.OnceAsync(alice, bob, "through the crowd"), TimeSpan.Zero, LegitimateChat.Bound);
        }
        finally
        {
            sockets.ToList().ForEach(s => s.Dispose());
        }
    }
}
