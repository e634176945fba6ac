using Parley.Core.Files;

namespace Parley.Node.Files;

/// <summary>One file of a transfer. For the sender, <see cref="Source"/> is the local file; for the receiver, <see cref="FinalPath"/> is where it landed.</summary>
public sealed class TransferFile(int index, string path, long size, string? source)
{
    public int Index { get; } = index;

    /// <summary>Relative path with '/' separators: as offered (sender) or after sanitizing (receiver).</summary>
    public string Path { get; } = path;

    public long Size { get; } = size;

    public string? Source { get; } = source;

    public string? FinalPath { get; set; }

    /// <summary>Modification time as offered (Unix milliseconds; 0 when unknown), restored when the file lands.</summary>
    public long Modified { get; init; }

    /// <summary>An executable file, or an empty folder (size 0) made as the sender has it.</summary>
    public OfferFlags Flags { get; init; }

    public bool IsFolder => (Flags & OfferFlags.Folder) != 0;

    /// <summary>Received and verified (receiver: landed under its final name). Set through <see cref="Transfer.MarkDone"/>.</summary>
    public bool Done { get; internal set; }
}
