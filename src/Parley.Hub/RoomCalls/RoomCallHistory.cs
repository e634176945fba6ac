using Parley.Core.Hub.RoomCalls;

namespace Parley.Hub;

/// <summary>
/// The last <see cref="Depth"/> packets of one video stream as the sender sent them, by sequence, so the
/// hub answers a receiver's NACK itself (the retransmission crosses one hop, not two). Audio has none: a
/// late audio packet is worse than a lost one. Fixed memory: <see cref="Depth"/> × the largest packet.
/// </summary>
internal sealed class RoomCallHistory
{
    /// <summary>Packets kept per stream: about a second of 2.5 Mbit/s video. 256.</summary>
    public const int Depth = 256;

    private readonly byte[][] _packets = new byte[Depth][];
    private readonly int[] _lengths = new int[Depth];
    private readonly int[] _sequences = new int[Depth];
    private readonly Lock _lock = new();

    public RoomCallHistory() => Array.Fill(_sequences, -1);

    public void Add(ushort sequence, ReadOnlySpan<byte> packet)
    {
        var slot = sequence % Depth;
        lock (_lock)
        {
            var buffer = _packets[slot] ??= new byte[RoomCallHop.MaxSize];
            packet.CopyTo(buffer);
            _lengths[slot] = packet.Length;
            _sequences[slot] = sequence;
        }
    }

    /// <summary>Copies the packet with <paramref name="sequence"/> into <paramref name="into"/>; 0 when it is no longer (or never was) kept.</summary>
    public int TryCopy(ushort sequence, Span<byte> into)
    {
        var slot = sequence % Depth;
        lock (_lock)
        {
            if (_sequences[slot] != sequence)
            {
                return 0;
            }
            _packets[slot].AsSpan(0, _lengths[slot]).CopyTo(into);
            return _lengths[slot];
        }
    }
}
