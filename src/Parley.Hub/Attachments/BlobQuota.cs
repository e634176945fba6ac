namespace Parley.Hub;

/// <summary>The attachment quotas a hub (or a cluster, counted across its hubs) holds uploads to, and what it says when one would pass.</summary>
internal static class BlobQuota
{
    /// <summary>Why a blob of <paramref name="size"/> may not be stored for a member, or null.</summary>
    public static string? TooLarge(HubOptions options, long size) => size > options.BlobMaxBytes
        ? $"an attachment of {Mib(size)} is over this hub's cap of {Mib(options.BlobMaxBytes)}"
        : null;

    /// <summary>
    /// Why one more holder of <paramref name="size"/> bytes would pass a quota, given the bytes its owner holds
    /// (<paramref name="mine"/>), its room holds (<paramref name="room"/>, null for a recipient), and the store holds
    /// (<paramref name="total"/>, null when the store has the bytes already); null when it fits.
    /// </summary>
    public static string? Check(HubOptions options, string scope, long size, long mine, long? room, long? total) =>
        mine + size > options.BlobMaxBytesPerMember
            ? $"your attachments at this hub would come to {Mib(mine + size)}, over your quota of {Mib(options.BlobMaxBytesPerMember)}; nothing was sent"
        : room + size > options.BlobMaxBytesPerRoom
            ? $"{scope}'s attachments at this hub would pass its quota of {Mib(options.BlobMaxBytesPerRoom)}; nothing was sent"
        : total + size > options.BlobMaxTotalBytes
            ? "this hub's attachment store is full; nothing was sent"
        : null;

    private static string Mib(long bytes) => $"{bytes / 1048576.0:0.#} MiB";
}
