using System.Buffers;
using System.Diagnostics;
using Parley.Core.Files;
using Parley.Node.Files;

namespace Parley.Node.Tests.Files;

/// <summary>
/// A bundle's small files are written and renamed with the system calls themselves (no .NET locks, truncation or
/// checks around them): what lands must still be exact, stamped, never replace a name, and a full disk must still
/// read as a full disk (so the transfer pauses, not fails).
/// </summary>
public sealed class SmallFileCallsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-smallwrites-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ReadOnlySequence<byte> Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return new ReadOnlySequence<byte>(bytes);
    }

    [Fact]
    public void WriteWhole_OverALongerLeftover_LeavesExactlyTheBytes_WithTheSendersTime()
    {
        var path = Path.Combine(_root, ".parley-x-1.part");
        File.WriteAllBytes(path, new byte[100_000]); // a resume's leftover, longer than the file
        var modified = new DateTimeOffset(2021, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);
        var data = Bytes(1500, 1);
        SmallFileCalls.WriteWhole(path, data, new TransferFile(1, "a.txt", data.Length, null) { Modified = modified.ToUnixTimeMilliseconds() });
        Assert.Equal(data.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(modified.UtcDateTime, File.GetLastWriteTimeUtc(path));
    }

    [Theory]
    [InlineData(1500, true)]
    [InlineData(1499, false)] // shrank since it was offered
    [InlineData(1501, false)] // grew
    [InlineData(0, true)]
    public void TryReadWhole_ReadsTheFile_OnlyAtItsOfferedSize(int onDisk, bool same)
    {
        var path = Path.Combine(_root, "sent.bin");
        var bytes = Bytes(onDisk, 5).ToArray();
        File.WriteAllBytes(path, bytes);
        var data = new byte[onDisk == 0 ? 0 : 1500];
        Assert.Equal(same, SmallFileCalls.TryReadWhole(path, data));
        if (same)
        {
            Assert.Equal(bytes, data);
        }
    }

    [Fact]
    public void TryReadWhole_AFileGone_IsAnIOException() =>
        Assert.ThrowsAny<IOException>(() => SmallFileCalls.TryReadWhole(Path.Combine(_root, "gone.bin"), new byte[10]));

    [Fact]
    public void WriteWhole_Executable_GetsExecuteWhereReadIs()
    {
        var path = Path.Combine(_root, ".parley-x-2.part");
        SmallFileCalls.WriteWhole(path, Bytes(10, 2), new TransferFile(2, "run.sh", 10, null) { Flags = OfferFlags.Executable });
        Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public void MoveToFreeName_NameHeldByADanglingLinkOrAFile_TakesTheNextName_AndLeavesThemAlone()
    {
        var target = Path.Combine(_root, "photo.jpg");
        File.CreateSymbolicLink(target, Path.Combine(_root, "nowhere"));
        File.WriteAllText(Path.Combine(_root, "photo (1).jpg"), "original");
        var temp = Path.Combine(_root, ".parley-x-3.part");
        File.WriteAllText(temp, "received");
        var landed = SafeFolder.MoveToFreeName(temp, target);
        Assert.Equal(Path.Combine(_root, "photo (2).jpg"), landed);
        Assert.Equal("received", File.ReadAllText(landed));
        Assert.Equal(Path.Combine(_root, "nowhere"), new FileInfo(target).LinkTarget);
        Assert.Equal("original", File.ReadAllText(Path.Combine(_root, "photo (1).jpg")));
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void WriteWhole_OnAFullDisk_ThrowsWhatReadsAsDiskFull()
    {
        var mount = Directory.CreateDirectory(Path.Combine(_root, "tiny")).FullName;
        Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount);
        try
        {
            var data = Bytes(1 << 20, 3);
            var error = Assert.Throws<IOException>(() =>
                SmallFileCalls.WriteWhole(Path.Combine(mount, ".parley-x-4.part"), data, new TransferFile(4, "big.bin", data.Length, null)));
            Assert.True(DiskFullPause.IsDiskFull(error), error.Message);
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error} (this test mounts a tmpfs and needs root)");
    }
}
