namespace Parley.Core.Links;

/// <summary>
/// What size a link stream's next pooled buffer should be, learned from how full the last ones got.
/// Renting the largest size (256 KiB, a file block) for every read and every send batch made a
/// 300-byte room message cost a 256 KiB array; with a hub's thousand links busy at once the shared
/// pool ran dry, every miss was a new array on the large object heap, and each few of those forced a
/// full blocking collection (the room fan-out bench's members: 18 in 10 s, 0.4 s of pauses). Small
/// flows now stay on <see cref="Smallest"/> buffers, under the large object heap's 85,000 bytes; a
/// bulk flow fills its buffer and doubles to the largest within a few reads, and stays there while it fills them.
/// </summary>
internal struct BufferSizeHint(int largest)
{
    /// <summary>Two TLS records' worth: one record (16 KiB and its header) always fits.</summary>
    public const int Smallest = 32 * 1024;

    private int _size;
    private int _smallInARow;

    /// <summary>The size to rent next.</summary>
    public readonly int Size => _size == 0 ? Math.Min(Smallest, largest) : _size;

    /// <summary>
    /// A buffer of <paramref name="size"/> held <paramref name="used"/> bytes: full, the next one is twice
    /// the size; a quarter full or less <see cref="ShrinkAfter"/> times in a row, half; otherwise the same
    /// size (always between the smallest and the largest). Not at the first small one: a transfer's file
    /// block leaves as a full batch and then its last record alone, and halving at each of those made every
    /// next block grow its buffer again.
    /// </summary>
    public void Used(int used, int size)
    {
        _smallInARow = used <= size / 4 ? _smallInARow + 1 : 0;
        var next = used >= size ? size * 2L : _smallInARow >= ShrinkAfter ? size / 2 : size;
        if (_smallInARow >= ShrinkAfter)
        {
            _smallInARow = 0;
        }
        _size = (int)Math.Clamp(next, Math.Min(Smallest, largest), largest);
    }

    /// <summary>How many buffers in a row a quarter full or less make the next one half the size.</summary>
    public const int ShrinkAfter = 4;
}
