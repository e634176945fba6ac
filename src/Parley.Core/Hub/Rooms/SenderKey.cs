using System.Security.Cryptography;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// A member's key for its own messages in one room (in the manner of Signal's sender keys), as a hash
/// chain: message n is encrypted with a key derived from chain link n, and link n+1 is derived from
/// link n. Handing someone link n lets it read message n and every later one under this key, never an
/// earlier one: so a member who asks for a key after joining gets only what was said once it was in.
/// </summary>
public sealed class SenderKey
{
    /// <summary>
    /// Messages one key may seal; then the sender starts a new key (and a receiver refuses a counter
    /// this far past the link it holds, which also bounds the hashing a message can cost). 10,000.
    /// </summary>
    public const ulong MaxMessages = 10_000;

    private readonly Lock _lock = new();
    private readonly byte[] _firstLink;
    private ulong _counter;
    private byte[] _link;

    public SenderKey(uint keyId, byte[] firstLink)
    {
        KeyId = keyId;
        _firstLink = firstLink;
        _link = firstLink;
    }

    public uint KeyId { get; }

    /// <summary>Link 1, from which every message key follows.</summary>
    public byte[] FirstLink => _firstLink;

    /// <summary>True once this key has sealed <see cref="MaxMessages"/> messages.</summary>
    public bool Spent
    {
        get
        {
            lock (_lock)
            {
                return _counter >= MaxMessages;
            }
        }
    }

    public static SenderKey CreateRandom() => new(BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)), RandomNumberGenerator.GetBytes(KeyChain.LinkSize));

    /// <summary>The next message number (from 1; with the key ID it makes the AES-GCM nonce) and its message key.</summary>
    public (ulong Counter, byte[] MessageKey) Next()
    {
        lock (_lock)
        {
            _counter++;
            if (_counter > 1)
            {
                _link = KeyChain.Advance(_link);
            }
            return (_counter, KeyChain.MessageKey(_link));
        }
    }

    /// <summary>Link <paramref name="counter"/> (from 1): what a member needs to read message <paramref name="counter"/> and later ones.</summary>
    public byte[] LinkAt(ulong counter) => KeyChain.Walk(_firstLink, 1, counter);
}

/// <summary>The hash chain of <see cref="SenderKey"/>: HMAC-SHA256 of a link with one label byte gives the next link or the message key.</summary>
public static class KeyChain
{
    public const int LinkSize = 32;

    private static readonly byte[] NextLabel = [2];
    private static readonly byte[] MessageLabel = [1];

    public static byte[] Advance(byte[] link) => HMACSHA256.HashData(link, NextLabel);

    public static byte[] MessageKey(byte[] link) => HMACSHA256.HashData(link, MessageLabel);

    /// <summary>Link <paramref name="to"/> from link <paramref name="from"/> (to ≥ from).</summary>
    public static byte[] Walk(byte[] link, ulong from, ulong to)
    {
        for (var i = from; i < to; i++)
        {
            link = Advance(link);
        }
        return link;
    }
}

/// <summary>
/// Another member's sender key as we hold it: the link it handed us and the message number of that link.
/// Keeps the furthest link reached, and every 128th link on the way, so reading a room in order costs
/// one hash a message and reading it out of order (as on several cores) at most 127 more.
/// </summary>
public sealed class HeldSenderKey(ulong start, byte[] startLink)
{
    private const ulong CheckpointEvery = 128;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, byte[]> _checkpoints = new() { [0] = startLink };
    private ulong _reached = start;
    private byte[] _reachedLink = startLink;

    /// <summary>The first message this key opens.</summary>
    public ulong Start { get; } = start;

    public byte[] StartLink { get; } = startLink;

    /// <summary>Message <paramref name="counter"/>'s key; false before <see cref="Start"/> or too far past it.</summary>
    public bool TryMessageKey(ulong counter, out byte[] key)
    {
        key = [];
        if (counter < Start || counter - Start > SenderKey.MaxMessages)
        {
            return false;
        }
        lock (_lock)
        {
            ulong from;
            byte[] link;
            if (counter >= _reached)
            {
                (from, link) = (_reached, _reachedLink);
            }
            else
            {
                var mark = (counter - Start) / CheckpointEvery;
                while (!_checkpoints.ContainsKey(mark))
                {
                    mark--; // mark 0 is always there
                }
                (from, link) = (Start + mark * CheckpointEvery, _checkpoints[mark]);
            }
            for (var i = from; i < counter; i++)
            {
                link = KeyChain.Advance(link);
                if ((i + 1 - Start) % CheckpointEvery == 0)
                {
                    _checkpoints.TryAdd((i + 1 - Start) / CheckpointEvery, link);
                }
            }
            if (counter > _reached)
            {
                (_reached, _reachedLink) = (counter, link);
            }
            key = KeyChain.MessageKey(link);
            return true;
        }
    }
}
