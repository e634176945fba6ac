using System.Buffers;
using System.Reflection;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Protocol;

/// <summary>
/// Every wire message in Parley.Core, found by reflection (so a new one is fuzzed without anyone
/// listing it): random, truncated and mutated bytes never make its reader throw, a refusal always
/// says why, and whatever it accepts it writes back so that reading that again gives the same bytes.
/// </summary>
public class WireCodecFuzzTests
{
    private const int Iterations = 6_000;

    public static TheoryData<string> Codecs()
    {
        var data = new TheoryData<string>();
        foreach (var type in WireCodecs.All)
        {
            data.Add(type.FullName!);
        }
        return data;
    }

    [Fact]
    public void TheCoreAssembly_HasCodecsForEveryFeature()
    {
        var namespaces = WireCodecs.All.Select(t => t.Namespace).ToHashSet();
        Assert.Contains("Parley.Core.Links", namespaces);
        Assert.Contains("Parley.Core.Chat", namespaces);
        Assert.True(WireCodecs.All.Count >= 10, $"only {WireCodecs.All.Count} codecs found");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Codec_RandomAndMutatedBytes_NeverThrows_AndRoundTrips(string codec)
    {
        var type = WireCodecs.All.Single(t => t.FullName == codec);
        var fuzz = typeof(WireCodecFuzzTests).GetMethod(nameof(Fuzz), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        fuzz.Invoke(null, [new Random(codec.GetHashCode(StringComparison.Ordinal) ^ 20261128)]);
    }

    /// <summary>Random lengths up to just over the cap; accepted inputs become seeds that later rounds mutate.</summary>
    private static void Fuzz<T>(Random random) where T : IWireMessage<T>
    {
        var seeds = new List<byte[]>();
        var longest = Math.Min(T.MaxSize, 8192) + 8;
        for (var i = 0; i < Iterations; i++)
        {
            var input = seeds.Count > 0 && i % 2 == 1 ? Mutate(random, seeds[random.Next(seeds.Count)]) : Noise(random, longest);
            if (Read<T>(input) is { } accepted && seeds.Count < 64)
            {
                seeds.Add(accepted);
            }
        }
    }

    private static byte[]? Read<T>(byte[] input) where T : IWireMessage<T>
    {
        if (!T.TryRead(new ReadOnlySequence<byte>(input), out var message, out var error))
        {
            Assert.False(string.IsNullOrWhiteSpace(error), $"{typeof(T).Name} refused {input.Length} bytes without saying why");
            return null;
        }
        Assert.NotNull(message);
        var written = message.ToArray();
        Assert.True(written.Length <= T.MaxSize, $"{typeof(T).Name} wrote {written.Length} bytes, over its cap of {T.MaxSize}");
        Assert.True(T.TryRead(new ReadOnlySequence<byte>(written), out var again, out var againError), $"{typeof(T).Name} cannot read what it wrote: {againError}");
        Assert.Equal(written, again.ToArray());
        return input;
    }

    private static byte[] Noise(Random random, int longest)
    {
        var bytes = new byte[random.Next(0, longest + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(4))
        {
            case 0:
                return bytes[..random.Next(0, bytes.Length + 1)];
            case 1:
                return [.. bytes, .. new byte[random.Next(1, 9)]];
            default:
                for (var n = random.Next(1, 4); n > 0 && bytes.Length > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                }
                return bytes;
        }
    }
}

/// <summary>The wire messages of Parley.Core: every type that implements <see cref="IWireMessage{TSelf}"/> for itself.</summary>
internal static class WireCodecs
{
    public static IReadOnlyList<Type> All { get; } =
    [
        .. typeof(IWireMessage<>).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && !t.IsInterface && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWireMessage<>) && i.GenericTypeArguments[0] == t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal),
    ];

    /// <summary>Reads <paramref name="payload"/> as <paramref name="type"/> without knowing it at compile time.</summary>
    public static bool TryRead(Type type, ReadOnlySequence<byte> payload, out string error)
    {
        var method = typeof(WireCodecs).GetMethod(nameof(TryReadAs), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        var arguments = new object?[] { payload, null };
        var ok = (bool)method.Invoke(null, arguments)!;
        error = (string)arguments[1]!;
        return ok;
    }

    private static bool TryReadAs<T>(ReadOnlySequence<byte> payload, out string error) where T : IWireMessage<T> => T.TryRead(payload, out _, out error);
}
