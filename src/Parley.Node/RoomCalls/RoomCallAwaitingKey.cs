using Parley.Core.Hub.RoomCalls;

namespace Parley.Node.RoomCalls;

/// <summary>
/// Media packets (already checked for the hop) under a frame key we do not hold yet. A participant takes
/// a new key when anyone joins and sends it over the hub link, while its media goes over UDP: the
/// keyframe it sends for a newcomer often arrives before the key. Kept at most <see cref="Capacity"/>
/// packets per sender and <see cref="MaxAge"/>, then dropped; opened in arrival order when the key comes. Guarded by
/// the call's lock.
/// </summary>
internal sealed class RoomCallAwaitingKey
{
    /// <summary>Packets kept per sender (its own oldest go first: one sender's flood never pushes out another's). 256 (a keyframe of about 300 KB).</summary>
    public const int Capacity = 256;

    /// <summary>How long a packet waits for its key. 1 s.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly Dictionary<ushort, Queue<(RoomCallHopHeader Header, byte[] Body, long At)>> _kept = [];

    /// <summary>Packets dropped because their key did not come in time or their sender's queue was full.</summary>
    public long Dropped { get; private set; }

    public void Keep(in RoomCallHopHeader header, ReadOnlySpan<byte> body, long now, TimeProvider time)
    {
        Expire(now, time); // a sender that left (or never hands its key) holds nothing past MaxAge
        if (!_kept.TryGetValue(header.Source, out var queue))
        {
            _kept[header.Source] = queue = new Queue<(RoomCallHopHeader, byte[], long)>();
        }
        if (queue.Count >= Capacity)
        {
            queue.Dequeue();
            Dropped++;
        }
        queue.Enqueue((header, body.ToArray(), now));
    }

    /// <summary>Takes out the packets of <paramref name="participant"/> under <paramref name="keyId"/>, in arrival order; forgets those too old.</summary>
    public List<(RoomCallHopHeader Header, byte[] Body)> Take(ushort participant, byte keyId, long now, TimeProvider time)
    {
        Expire(now, time);
        var taken = new List<(RoomCallHopHeader, byte[])>();
        if (!_kept.TryGetValue(participant, out var queue))
        {
            return taken;
        }
        var count = queue.Count;
        for (var i = 0; i < count; i++)
        {
            var kept = queue.Dequeue();
            if (RoomCallFrameCipher.TryKeyId(kept.Body, out var id) && id == keyId)
            {
                taken.Add((kept.Header, kept.Body));
            }
            else
            {
                queue.Enqueue(kept);
            }
        }
        if (queue.Count == 0)
        {
            _kept.Remove(participant);
        }
        return taken;
    }

    /// <summary>Drops what waited longer than <see cref="MaxAge"/> (each queue is in arrival order: the old are at its head).</summary>
    private void Expire(long now, TimeProvider time)
    {
        foreach (var (source, queue) in _kept)
        {
            while (queue.TryPeek(out var oldest) && time.GetElapsedTime(oldest.At, now) > MaxAge)
            {
                queue.Dequeue();
                Dropped++;
            }
            if (queue.Count == 0)
            {
                _kept.Remove(source);
            }
        }
    }
}
