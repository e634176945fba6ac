using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Chat;
using Parley.Core.Files;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Protocol;

/// <summary>
/// Random and mutated input into the frame decoder, each whole frame decoded by the codec its type
/// declares: no exception may escape; each input ends as "need more data", a frame, or a protocol error.
/// (Every codec on its own: <see cref="WireCodecFuzzTests"/>.)
/// </summary>
public class DecoderFuzzTests
{
    private const int Iterations = 120_000;

    private static readonly uint[] InterestingLengths =
        [0, 1, 7, 8, 16, 46, 110, 111, 257, 65_560, 65_561, 1 << 20, (1 << 20) + 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF];

    private static List<byte[]> Seeds()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        return
        [
            FrameWriter.ToArray(FrameType.Hello, 0, new Hello(1, identity.DeviceId, 0, 47800, HelloFlags.Contact, "alice").ToArray()),
            FrameWriter.ToArray(FrameType.ChatMessage, 0, new ChatMessage(Guid.NewGuid(), DateTimeOffset.UnixEpoch, "hi there").ToArray()),
            FrameWriter.ToArray(FrameType.ChatAck, 0, new ChatAck(Guid.NewGuid()).ToArray()),
            FrameWriter.ToArray(FrameType.Close, 0, new CloseMessage(CloseCode.Shutdown, "shutting down").ToArray()),
            FrameWriter.ToArray(FrameType.Ping, 0, new PingNonce(1).ToArray()),
            FrameWriter.ToArray(FrameType.Consent, 0, new ConsentMessage(true).ToArray()),
            FrameWriter.ToArray(FrameType.FileOffer, 0, new FileOffer(Guid.NewGuid(), [new OfferEntry("a/b.txt", 5), new OfferEntry("c", 0)]).ToArray()),
            FrameWriter.ToArray(FrameType.FileBlock, 0, new FileBlock(new FileBlockHeader(Guid.NewGuid(), 0, 0, new byte[32]), new ReadOnlySequence<byte>(new byte[7])).ToArray()),
            FrameWriter.ToArray(FrameType.FileEnd, 0, new FileEnd(Guid.NewGuid(), 3, new byte[32]).ToArray()),
            FrameWriter.ToArray(FrameType.FileRequest, 0, new FileRequest(Guid.NewGuid(), 1, 262144).ToArray()),
            FrameWriter.ToArray(FrameType.OfferAnswer, 0, OfferAnswer.Refuse(Guid.NewGuid(), "no").ToArray()),
            .. KnownFrames.All.Select(spec => FrameWriter.ToArray(spec.Type, 0, new byte[Math.Min(spec.MaxPayload, 48)])),
        ];
    }

    [Fact]
    public void RandomAndMutatedInput_NeverThrows_AndEndsInAKnownOutcome()
    {
        var random = new Random(20261121);
        var seeds = Seeds();
        var outcomes = new Dictionary<ReadResultKind, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var input = Mutate(random, seeds[random.Next(seeds.Count)], i);
            var kind = DecodeAll(input, random);
            outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
        }
        // The corpus must reach every outcome, or the fuzzer is not exercising the decoder.
        Assert.All(Enum.GetValues<ReadResultKind>(), k => Assert.True(outcomes.GetValueOrDefault(k) > 1000, $"{k}: {outcomes.GetValueOrDefault(k)}"));
    }

    private static byte[] Mutate(Random random, byte[] seed, int iteration)
    {
        switch (iteration % 6)
        {
            case 0: // pure noise
                var noise = new byte[random.Next(0, 200)];
                random.NextBytes(noise);
                return noise;
            case 1: // truncated
                return seed[..random.Next(0, seed.Length)];
            case 2: // a hostile length in a valid header
                var withLength = (byte[])seed.Clone();
                BinaryPrimitives.WriteUInt32BigEndian(withLength, InterestingLengths[random.Next(InterestingLengths.Length)]);
                return withLength;
            case 3: // flipped bytes
                var flipped = (byte[])seed.Clone();
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    flipped[random.Next(flipped.Length)] ^= (byte)random.Next(1, 256);
                }
                return flipped;
            case 4: // unknown or random type
                var typed = (byte[])seed.Clone();
                typed[4] = (byte)random.Next(256);
                return typed;
            default: // several frames glued, possibly cut
                var glued = seed.Concat(seed).Concat(seed).ToArray();
                return glued[..random.Next(glued.Length / 2, glued.Length + 1)];
        }
    }

    /// <summary>Reads frames until the input runs out or errs, decoding each payload as its type says.</summary>
    private static ReadResultKind DecodeAll(byte[] input, Random random)
    {
        var buffer = Segments.Split(input, random.Next(input.Length + 1), random.Next(input.Length + 1));
        while (true)
        {
            var kind = FrameReader.TryRead(ref buffer, Parley.Core.Links.KnownFrames.Table, out var frame, out var error);
            if (kind != ReadResultKind.Frame)
            {
                Assert.True(kind == ReadResultKind.NeedMoreData || error.Length > 0);
                return kind;
            }
            DecodePayload(frame);
            if (buffer.IsEmpty)
            {
                return ReadResultKind.Frame;
            }
        }
    }

    /// <summary>Decodes the payload with the codec its frame type declares; a refusal must say why.</summary>
    private static void DecodePayload(Frame frame)
    {
        if (KnownFrames.All.Single(s => s.Type == frame.Type).Message is { } codec && !WireCodecs.TryRead(codec, frame.Payload, out var error))
        {
            Assert.False(string.IsNullOrWhiteSpace(error));
        }
    }
}
