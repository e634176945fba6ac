using Parley.Core.Files;
using Parley.Node.Files;

namespace Parley.Node.Tests.Files;

/// <summary>When verified files land, and where a receiver resumes a partial file.</summary>
public sealed class LandingRulesTests
{
    [Theory]
    [InlineData(1, 100, false, false)] // a small file waits for companions
    [InlineData(FileLanding.Batch, 100, false, true)] // ... until the batch is full
    [InlineData(1, FileLanding.AloneBytes, false, true)] // a big file lands alone
    [InlineData(1, 100, true, true)] // the last file lands everything
    public void LandsNow_WhenTheBatchIsFull_TheFileIsBig_OrNothingFollows(int queued, long size, bool wasLast, bool expected) =>
        Assert.Equal(expected, FileLanding.LandsNow(queued, size, wasLast));

    [Theory]
    [InlineData(0, 1000, 0)]
    [InlineData(FileBlock.MaxData - 1, 10_000_000, 0)] // a block cut off mid-write is asked for again
    [InlineData(FileBlock.MaxData * 3 + 17, 10_000_000, FileBlock.MaxData * 3)]
    [InlineData(FileBlock.MaxData * 2, FileBlock.MaxData * 2, FileBlock.MaxData * 2)] // whole and verified: nothing to ask for
    [InlineData(FileBlock.MaxData * 3, FileBlock.MaxData + 5, FileBlock.MaxData + 5)] // never past the offered size
    public void ResumeOffset_IsTheLastWholeBlock_WithinTheFile(long length, long size, long expected) =>
        Assert.Equal(expected, IncomingFile.ResumeOffset(length, size));
}
