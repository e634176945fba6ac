using Parley.Core.Links;

namespace Parley.Core.Tests.Links;

public class BufferSizeHintTests
{
    private const int Largest = 256 * 1024;

    [Fact]
    public void SmallFlows_StayUnderTheLargeObjectHeap_BulkFlowsReachTheLargestInAFewBuffers_AndComeBack()
    {
        var hint = new BufferSizeHint(Largest);
        Assert.Equal(BufferSizeHint.Smallest, hint.Size);
        Assert.True(hint.Size < 85_000); // the runtime's large object threshold
        for (var i = 0; i < 100; i++)
        {
            hint.Used(300, hint.Size); // a chat message a read
        }
        Assert.Equal(BufferSizeHint.Smallest, hint.Size);

        var filled = 0;
        while (hint.Size < Largest)
        {
            hint.Used(hint.Size, hint.Size); // a file transfer fills every buffer
            filled++;
        }
        Assert.Equal(3, filled); // 32 → 64 → 128 → 256 KiB
        hint.Used(Largest, Largest);
        Assert.Equal(Largest, hint.Size);

        hint.Used(Largest / 2, Largest); // half full: the same size
        Assert.Equal(Largest, hint.Size);
        for (var block = 0; block < 10; block++)
        {
            hint.Used(Largest, Largest); // a file block's batch, full
            hint.Used(16 * 1024, Largest); // and its last record alone at the flush
            Assert.Equal(Largest, hint.Size);
        }
        hint.Used(Largest, Largest); // the last block
        for (var i = 1; i < BufferSizeHint.ShrinkAfter; i++)
        {
            hint.Used(300, Largest);
        }
        Assert.Equal(Largest, hint.Size);
        hint.Used(300, Largest); // the transfer is over: chat again
        Assert.Equal(Largest / 2, hint.Size);
        for (var i = 0; i < 3 * BufferSizeHint.ShrinkAfter; i++)
        {
            hint.Used(300, hint.Size);
        }
        Assert.Equal(BufferSizeHint.Smallest, hint.Size);
    }

    [Fact]
    public void ABufferSmallerThanTheSmallest_IsNeverExceeded()
    {
        var hint = new BufferSizeHint(4096);
        Assert.Equal(4096, hint.Size);
        hint.Used(4096, 4096);
        Assert.Equal(4096, hint.Size);
        hint.Used(1, 4096);
        Assert.Equal(4096, hint.Size);
    }
}
