namespace Parley.Core.Links;

/// <summary>
/// What size a link stream's next pooled buffer should be, learned from how full the last ones got.
/// Renting the largest size (256 KiB, a file block) for every read and every send batch made a
/// 300-byte room message cost a 256 KiB array; with a hub's thousand links busy at once the shared
/// pool ran dry, every miss was a new array on the large object heap, and each few of those forced a
/// full blocking collection (the room fan-out bench's members: 18 in 10 s, 0.4 s of pauses). Small
/// flows now stay on <see cref="Smallest"/> buffers, under the large object heap's 85,000 bytes; a
/// bulk flow fills its buffer and doubles to the largest within a few reads, and stays there.
/// </summary>
internal struct BufferSizeHint(int largest)
{
    /// <summary>Two TLS records' worth: one record (16 KiB and its header) always fits.</summary>
    public const int Smallest = 32 * 1024;

    private int _size;

    /// <summary>The size to rent next.</summary>
    public readonly int Size => _size == 0 ? Math.Min(Smallest, largest) : _size;

    /// <summary>
    /// A buffer of <paramref name="size"/> held <paramref name="used"/> bytes: full, the next one is twice
    /// the size; a quarter full or less, half; otherwise the same size (always between the smallest and
    /// the largest).
    /// </summary>
    public void Used(int used, int size)
    {
        var next = used >= size ? size * 2L : used <= size / 4 ? size / 2 : size;
        _size = (int)Math.Clamp(next, Math.Min(Smallest, largest), largest);
    }
}
