using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Links;

public sealed class BackoffTests : IAsyncDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-backoff-").FullName;
    private NodeStore? _store;

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Backoff_DoublesFromFirstDelay_CapsAtMaximum_WithJitter()
    {
        _store = NodeStore.Open(_home);
        var options = new NodeOptions { Home = _home, ReconnectDelay = TimeSpan.FromSeconds(1), MaxReconnectDelay = TimeSpan.FromSeconds(60) };
        using var identity = NodeIdentity.CreateEphemeral();
        await using var links = new LinkManager(identity, options, await ContactBook.LoadAsync(_store, TimeProvider.System),
            new EventHub(), NullLoggerFactory.Instance, new NodeProfile(_store, "me"), new NoRelay());
        for (var failures = 1; failures <= 12; failures++)
        {
            var expected = Math.Min(Math.Pow(2, failures - 1), 60);
            var delays = Enumerable.Range(0, 200).Select(_ => links.Backoff(failures).TotalSeconds).ToList();
            Assert.All(delays, d => Assert.InRange(d, expected * 0.8, expected * 1.2));
            Assert.True(delays.Max() - delays.Min() > expected * 0.1, "no jitter");
        }
    }

    [Theory]
    [InlineData("10.0.0.1:1", "10.0.0.2:2,10.0.0.1:1", "10.0.0.1:1,10.0.0.2:2")]
    [InlineData(null, "10.0.0.2:2", "10.0.0.2:2")]
    [InlineData("a:1", "b:1,c:1,d:1,e:1", "a:1,b:1,c:1,d:1")]
    [InlineData(null, null, null)]
    public void MergeAddress_NewestFirst_NoDuplicates_AtMostFour(string? newest, string? known, string? expected) =>
        Assert.Equal(expected, LinkManager.MergeAddress(newest, known));

    /// <summary>A node without a hub: nothing can be relayed.</summary>
    private sealed class NoRelay : IRelayDialer
    {
        public bool CanRelayTo(DeviceId peer) => false;

        public Task<(System.Net.Sockets.Socket Socket, System.Net.IPEndPoint Hub)> OpenRelayAsync(DeviceId peer, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no hub");
    }
}
