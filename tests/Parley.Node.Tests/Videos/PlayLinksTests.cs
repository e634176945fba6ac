using Parley.Core.Identity;
using Parley.Core.Tests;
using Parley.Core.Videos;
using Parley.Node.Videos;

namespace Parley.Node.Tests.Videos;

public sealed class PlayLinksTests
{
    private static readonly VideoVariant Variant = new(Guid.NewGuid().ToString("N"), "dog_480p.mp4", 1000, "mp4", 10, "h264", 854, 480, "aac", 2, 48000);
    private static readonly DeviceId Peer = NodeIdentity.CreateEphemeral().DeviceId;

    [Fact]
    public void A_link_not_opened_within_two_minutes_is_dead()
    {
        var clock = new ManualTimeProvider();
        var links = new PlayLinks(clock);
        var token = links.Create(Peer, Variant);
        clock.Advance(PlayLinks.FirstUseWithin + TimeSpan.FromSeconds(1));
        Assert.Null(links.Use(token));
        Assert.Null(links.Use(token));
    }

    [Fact]
    public void A_link_lives_while_used_or_streaming_and_dies_after_ten_idle_minutes()
    {
        var clock = new ManualTimeProvider();
        var links = new PlayLinks(clock);
        var token = links.Create(Peer, Variant);
        var link = links.Use(token)!;
        using (link.BeginStream())
        {
            clock.Advance(TimeSpan.FromHours(2)); // one long request: a whole film
            Assert.Same(link, links.Use(token));
        }
        clock.Advance(PlayLinks.IdleLimit - TimeSpan.FromSeconds(1));
        Assert.Same(link, links.Use(token));
        clock.Advance(PlayLinks.IdleLimit + TimeSpan.FromSeconds(1));
        Assert.Null(links.Use(token));
        Assert.True(link.Stopped.IsCancellationRequested);
    }

    [Fact]
    public void Stopping_ends_every_link_and_its_streams()
    {
        var links = new PlayLinks(TimeProvider.System);
        var tokens = Enumerable.Range(0, 3).Select(_ => links.Create(Peer, Variant)).ToList();
        var first = links.Use(tokens[0])!;
        Assert.Equal(3, links.StopAll());
        Assert.True(first.Stopped.IsCancellationRequested);
        Assert.All(tokens, t => Assert.Null(links.Use(t)));
        Assert.Null(links.Use("not-a-token"));
    }
}
