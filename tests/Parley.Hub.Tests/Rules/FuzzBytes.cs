namespace Parley.Hub.Tests.Rules;

/// <summary>Random and mutated inputs for the hub's fuzz tests.</summary>
internal static class FuzzBytes
{
    public static byte[] Noise(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary><paramref name="seed"/> cut short, lengthened (to at most <paramref name="cap"/>), left as it was, or with a few bytes flipped.</summary>
    public static byte[] Mutate(Random random, byte[] seed, int cap = int.MaxValue)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(4))
        {
            case 0:
                return bytes[..random.Next(0, bytes.Length + 1)];
            case 1:
                return [.. bytes, .. Noise(random, Math.Min(random.Next(1, 9), Math.Max(0, cap - bytes.Length)))];
            case 2:
                return bytes; // as it was: it reaches the rules behind the parser
            default:
                for (var n = random.Next(1, 4); n > 0 && bytes.Length > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                }
                return bytes;
        }
    }
}
