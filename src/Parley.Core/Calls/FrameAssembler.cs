namespace Parley.Core.Calls;

/// <summary>An encoded frame as the browser's encoder made it and its decoder takes it.</summary>
public sealed record MediaFrame(StreamKind Stream, ushort Number, uint Timestamp, bool Keyframe, byte Codec, byte[] Data);

/// <summary>
/// Splits frames into packets' worth of payload, and puts fragments back together per stream.
/// A frame is at most <see cref="MaxFragments"/> fragments (about 290 KB). At most
/// <see cref="MaxPending"/> incomplete frames are kept per stream; the oldest goes first, and its
/// loss is reported so the caller can ask for a keyframe.
/// </summary>
public sealed class FrameAssembler
{
    public const int MaxFragments = 255;
    public const int MaxFrameBytes = MaxFragments * MediaHeader.MaxPayload;
    public const int MaxPending = 32;
    private readonly Dictionary<(StreamKind, ushort), Partial> _partial = [];
    private readonly Dictionary<StreamKind, Queue<ushort>> _order = [];
    private readonly HashSet<(StreamKind, ushort)> _completed = [];
    private readonly Queue<(StreamKind, ushort)> _completedOrder = new();

    private sealed class Partial(MediaHeader first)
    {
        public byte[]?[] Fragments { get; } = new byte[first.FragmentCount][];
        public int Received { get; set; }
        public MediaHeader First { get; } = first;
    }

    /// <summary>Frames abandoned incomplete (pushed out by newer ones).</summary>
    public long Abandoned { get; private set; }

    /// <summary>The payload slices a frame of <paramref name="length"/> bytes is sent in: (offset, length) each.</summary>
    public static IEnumerable<(int Offset, int Length)> Split(int length, int maxPayload = MediaHeader.MaxPayload)
    {
        if (length > MaxFrameBytes)
        {
            throw new ArgumentException($"a frame is at most {MaxFrameBytes:N0} bytes");
        }
        var count = Math.Max(1, (length + maxPayload - 1) / maxPayload);
        // Even sizes, so the last packet is not a runt.
        var each = (length + count - 1) / Math.Max(count, 1);
        for (var i = 0; i < count; i++)
        {
            var offset = i * each;
            yield return (offset, Math.Max(0, Math.Min(each, length - offset)));
        }
    }

    /// <summary>Adds one fragment; returns the frame when this completed it. A fragment that disagrees with its frame's first is dropped.</summary>
    public MediaFrame? Add(in MediaHeader header, ReadOnlySpan<byte> payload)
    {
        var key = (header.Stream, header.Frame);
        if (_completed.Contains(key))
        {
            return null; // a late copy (a retransmission that crossed the original)
        }
        if (!_partial.TryGetValue(key, out var partial))
        {
            if (header.FragmentCount == 1)
            {
                Completed(key);
                return new MediaFrame(header.Stream, header.Frame, header.Timestamp, header.Flags.HasFlag(MediaFlags.Keyframe), header.Codec, payload.ToArray());
            }
            partial = new Partial(header);
            _partial[key] = partial;
            if (!_order.TryGetValue(header.Stream, out var order))
            {
                _order[header.Stream] = order = new Queue<ushort>();
            }
            order.Enqueue(header.Frame);
            while (order.Count > MaxPending)
            {
                if (_partial.Remove((header.Stream, order.Dequeue())))
                {
                    Abandoned++;
                }
            }
        }
        if (header.FragmentCount != partial.First.FragmentCount || header.Timestamp != partial.First.Timestamp || partial.Fragments[header.Fragment] is not null)
        {
            return null;
        }
        partial.Fragments[header.Fragment] = payload.ToArray();
        if (++partial.Received < partial.Fragments.Length)
        {
            return null;
        }
        _partial.Remove(key);
        Completed(key);
        var data = new byte[partial.Fragments.Sum(f => f!.Length)];
        var at = 0;
        foreach (var fragment in partial.Fragments)
        {
            fragment!.CopyTo(data, at);
            at += fragment!.Length;
        }
        var first = partial.First;
        return new MediaFrame(first.Stream, first.Frame, first.Timestamp, first.Flags.HasFlag(MediaFlags.Keyframe), first.Codec, data);
    }

    private void Completed((StreamKind, ushort) key)
    {
        _completed.Add(key);
        _completedOrder.Enqueue(key);
        if (_completedOrder.Count > 4 * MaxPending)
        {
            _completed.Remove(_completedOrder.Dequeue());
        }
    }

    /// <summary>Forgets incomplete frames of a stream older than <paramref name="frame"/> (wrapping u16 order); returns how many.</summary>
    public int DropBefore(StreamKind stream, ushort frame)
    {
        var dropped = 0;
        foreach (var key in _partial.Keys.Where(k => k.Item1 == stream && (short)(k.Item2 - frame) < 0).ToList())
        {
            _partial.Remove(key);
            dropped++;
        }
        Abandoned += dropped;
        return dropped;
    }
}
