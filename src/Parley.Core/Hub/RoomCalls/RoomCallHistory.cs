namespace Parley.Core.Hub.RoomCalls;

/// <summary>
/// The last packets of one video stream, by sequence, so each hop answers a NACK itself: the hub for its
/// receivers (the retransmission crosses one hop, not two), the sender for the hub. Audio has none: a late
/// audio packet is worse than a lost one. Fixed memory: the depth × the largest hop packet.
/// </summary>
public sealed class RoomCallHistory
{
    /// <summary>Packets the hub keeps per stream: about a second of 2.5 Mbit/s video. 256.</summary>
    public const int HubDepth = 256;

    /// <summary>Packets a sender keeps: twice the hub's, so what the hub no longer has, the sender still does. 512.</summary>
    public const int SenderDepth = 512;

    private readonly int _depth;
    private readonly byte[][] _packets;
    private readonly int[] _lengths;
    private readonly int[] _sequences;
    private readonly Lock _lock = new();

    public RoomCallHistory(int depth = HubDepth)
    {
        _depth = depth;
        _packets = new byte[depth][];
        _lengths = new int[depth];
        _sequences = new int[depth];
        Array.Fill(_sequences, -1);
    }

    public void Add(ushort sequence, ReadOnlySpan<byte> packet)
    {
        var slot = sequence % _depth;
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
        var slot = sequence % _depth;
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
