using Parley.Core.Hub.RoomCalls;

namespace Parley.Node.RoomCalls;

/// <summary>
/// Media packets (already checked for the hop) under a frame key we do not hold yet. A participant takes
/// a new key when anyone joins and sends it over the hub link, while its media goes over UDP: the
/// keyframe it sends for a newcomer often arrives before the key. Kept at most <see cref="Capacity"/>
/// packets and <see cref="MaxAge"/>, then dropped; opened in arrival order when the key comes. Guarded by
/// the call's lock.
/// </summary>
internal sealed class RoomCallAwaitingKey
{
    /// <summary>Packets kept. 256 (a keyframe of about 300 KB).</summary>
    public const int Capacity = 256;

    /// <summary>How long a packet waits for its key. 1 s.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly Queue<(RoomCallHopHeader Header, byte[] Body, long At)> _kept = new();

    /// <summary>Packets dropped because their key did not come in time or the queue was full.</summary>
    public long Dropped { get; private set; }

    public void Keep(in RoomCallHopHeader header, ReadOnlySpan<byte> body, long now)
    {
        if (_kept.Count >= Capacity)
        {
            _kept.Dequeue();
            Dropped++;
        }
        _kept.Enqueue((header, body.ToArray(), now));
    }

    /// <summary>Takes out the packets of <paramref name="participant"/> under <paramref name="keyId"/>, in arrival order; forgets those too old.</summary>
    public List<(RoomCallHopHeader Header, byte[] Body)> Take(ushort participant, byte keyId, long now, TimeProvider time)
    {
        var taken = new List<(RoomCallHopHeader, byte[])>();
        var count = _kept.Count;
        for (var i = 0; i < count; i++)
        {
            var kept = _kept.Dequeue();
            if (time.GetElapsedTime(kept.At, now) > MaxAge)
            {
                Dropped++;
            }
            else if (kept.Header.Source == participant && RoomCallFrameCipher.TryKeyId(kept.Body, out var id) && id == keyId)
            {
                taken.Add((kept.Header, kept.Body));
            }
            else
            {
                _kept.Enqueue(kept);
            }
        }
        return taken;
    }
}
