using System.Security.Cryptography;
using Parley.Node.Files;

namespace Parley.Node.Tests.Files;

/// <summary>Files to send and ways to wait on transfers, for the transfer tests.</summary>
internal static class TransferTestKit
{
    public static string RandomFile(string path, long size, int seed = 1)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(seed);
        using var stream = File.Create(path);
        var chunk = new byte[1 << 20];
        for (long written = 0; written < size; written += chunk.Length)
        {
            random.NextBytes(chunk);
            stream.Write(chunk, 0, (int)Math.Min(chunk.Length, size - written));
        }
        return path;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>The receiver's copy of <paramref name="sent"/>, looked up by the transfer it came in.</summary>
    public static Transfer Incoming(TestNode receiver, Guid id) =>
        receiver.Node.Files.All.Single(t => t.Id == id);

    public static async Task<Transfer> WaitForOfferAsync(TestNode receiver, Guid id)
    {
        await Wait.UntilAsync(() => receiver.Node.Files.All.Any(t => t.Id == id), "the offer to arrive");
        return Incoming(receiver, id);
    }

    public static async Task WaitForStateAsync(Transfer transfer, TransferState state) =>
        await Wait.UntilAsync(() => transfer.State == state, $"transfer {transfer.ShortId} to be {state} (it is {transfer.State}: {transfer.Error})");

    public static async Task WaitForProgressAsync(Transfer transfer, double fraction) =>
        await Wait.UntilAsync(() => transfer.BytesDone >= transfer.TotalBytes * fraction || transfer.IsFinal, $"{fraction:P0} progress");

    /// <summary>No temporary (.part) file anywhere under <paramref name="folder"/>.</summary>
    public static void AssertNoPartialFiles(string folder) =>
        Assert.Empty(Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.part", SearchOption.AllDirectories) : []);
}
