using Parley.Core.Links;

namespace Parley.Core.Tests.Links;

/// <summary>Alone, not beside other test classes: the pools are the process's, and other link tests rent from them too.</summary>
[CollectionDefinition(nameof(LinkBuffersTests), DisableParallelization = true)]
public sealed class LinkBuffersAlone;

[Collection(nameof(LinkBuffersTests))]
public class LinkBuffersTests
{
    [Fact]
    public async Task HundredsOutAtOnce_ReturnedOnAnotherThread_AreRentedAgain_NotAllocated()
    {
        // As a hub's links do: each holds its read buffer while it has unread bytes, and gives it back on another thread.
        var first = Enumerable.Range(0, 500).Select(_ => LinkBuffers.Rent(BufferSizeHint.Smallest)).ToList();
        await Task.Run(() => first.ForEach(LinkBuffers.Return));

        var second = Enumerable.Range(0, 500).Select(_ => LinkBuffers.Rent(BufferSizeHint.Smallest)).ToList();
        second.ForEach(LinkBuffers.Return);

        var reused = second.Count(b => first.Any(f => ReferenceEquals(f, b)));
        Assert.True(reused >= 450, $"only {reused} of 500 buffers came back from the pool"); // a link left by another test may return a few
        Assert.All(second, b => Assert.Equal(BufferSizeHint.Smallest, b.Length));
    }

    [Fact]
    public void EverySizeAStreamRents_GoesBackToItsPool()
    {
        foreach (var size in new[] { 1, 64, 4096, BufferSizeHint.Smallest, 64 * 1024, 200_000, 256 * 1024 })
        {
            var buffer = LinkBuffers.Rent(size);
            Assert.InRange(buffer.Length, size, Math.Max(16, size * 2));
            LinkBuffers.Return(buffer); // a buffer the pool did not make would throw
        }
    }
}
