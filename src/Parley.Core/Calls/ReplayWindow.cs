namespace Parley.Core.Calls;

/// <summary>
/// Which packet numbers (u32 hop counters, or a hub bridge's u64 ones below 2^63) have been accepted: the highest one and a 1,024-number window behind it.
/// A number already seen is a replay; one older than the window cannot be told apart from one, so
/// it is refused too. Only packets that decrypted are marked, so forgeries cannot move the window.
/// </summary>
public sealed class ReplayWindow
{
    public const int Size = 1024;
    private readonly ulong[] _bits = new ulong[Size / 64];
    private long _highest = -1;

    public enum Verdict
    {
        New,
        Replayed,
        TooOld,
    }

    /// <summary>Whether <paramref name="number"/> may be accepted; does not mark it.</summary>
    public Verdict Check(long number)
    {
        if (number > _highest)
        {
            return Verdict.New;
        }
        if (_highest - number >= Size)
        {
            return Verdict.TooOld;
        }
        return IsSet(number) ? Verdict.Replayed : Verdict.New;
    }

    /// <summary>Marks an accepted number, sliding the window when it is the newest.</summary>
    public void Mark(long number)
    {
        if (number > _highest)
        {
            var shift = _highest < 0 ? Size : Math.Min(number - _highest, Size);
            for (var n = 1L; n <= shift && number - n + 1 >= 0; n++)
            {
                Clear(number - n + 1);
            }
            _highest = number;
        }
        Set(number);
    }

    private static (int Word, ulong Bit) Slot(long number) => ((int)(number % Size / 64), 1UL << (int)(number % 64));

    private bool IsSet(long number)
    {
        var (word, bit) = Slot(number);
        return (_bits[word] & bit) != 0;
    }

    private void Set(long number)
    {
        var (word, bit) = Slot(number);
        _bits[word] |= bit;
    }

    private void Clear(long number)
    {
        var (word, bit) = Slot(number);
        _bits[word] &= ~bit;
    }
}
