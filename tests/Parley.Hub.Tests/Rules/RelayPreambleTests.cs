using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.Relay;
using Parley.Core.Identity;

namespace Parley.Hub.Tests.Rules;

/// <summary>
/// The relay preamble: a pure parser over the bytes read so far, fuzzed against a plain model of
/// the rule, and the switch in front of the hub's TLS, fuzzed over real sockets: a connection that
/// is not a relay loses no byte to it, and one that is ends in a known way.
/// </summary>
public sealed class RelayPreambleTests
{
    private static readonly byte[] Preamble = RelayTicket.Preamble.ToArray();

    [Theory]
    [InlineData("", nameof(PreambleOutcome.NeedMoreData))]
    [InlineData("P", nameof(PreambleOutcome.NeedMoreData))]
    [InlineData("PRL", nameof(PreambleOutcome.NeedMoreData))]
    [InlineData("PRLR", nameof(PreambleOutcome.NeedMoreData))]
    [InlineData("Q", nameof(PreambleOutcome.NotAPreamble))]
    [InlineData("PRX", nameof(PreambleOutcome.NotAPreamble))]
    [InlineData("\u0016\u0003\u0001", nameof(PreambleOutcome.NotAPreamble))] // a TLS handshake record
    public void Parse_Prefixes(string received, string expected) =>
        Assert.Equal(Enum.Parse<PreambleOutcome>(expected), RelayPreamble.Parse(new ReadOnlySequence<byte>(System.Text.Encoding.Latin1.GetBytes(received)), out _));

    [Fact]
    public void Parse_RandomAndMutatedBytes_AgreesWithTheRule()
    {
        var random = new Random(20260715);
        for (var i = 0; i < 20_000; i++)
        {
            var input = random.Next(3) switch
            {
                0 => FuzzBytes.Noise(random, random.Next(0, 48)),
                1 => [.. Preamble[..random.Next(0, 5)], .. FuzzBytes.Noise(random, random.Next(0, 40))],
                _ => FuzzBytes.Mutate(random, [.. Preamble, .. FuzzBytes.Noise(random, RelayTicket.TokenSize)]),
            };
            var outcome = RelayPreamble.Parse(Split(input, random), out var token);

            var prefix = Math.Min(input.Length, Preamble.Length);
            var expected = !input.AsSpan(0, prefix).SequenceEqual(Preamble.AsSpan(0, prefix)) ? PreambleOutcome.NotAPreamble
                : input.Length < RelayPreamble.Size ? PreambleOutcome.NeedMoreData
                : PreambleOutcome.Preamble;
            Assert.Equal(expected, outcome);
            if (outcome == PreambleOutcome.Preamble)
            {
                Assert.Equal(input[Preamble.Length..RelayPreamble.Size], token.ToArray());
            }
        }
    }

    [Fact]
    public async Task Switch_RandomFirstBytes_TakesOnlyRelays_AndLeavesEveryOtherByteForTls()
    {
        var options = new HubOptions { Home = "unused", RelayPreambleTimeout = TimeSpan.FromMilliseconds(200), MaxRelaySessionsPerMember = 100 };
        using var relay = new RelaySwitch(options);
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var asker = NodeIdentity.CreateEphemeral();
        var random = new Random(715);
        for (var i = 0; i < 60; i++)
        {
            var tokens = relay.Open(asker.DeviceId, out _)!.Value;
            byte[] sent = (i % 6) switch
            {
                0 => FuzzBytes.Noise(random, random.Next(1, 64)),                          // anything: TLS's to refuse
                1 => [0x16, 0x03, 0x01, .. FuzzBytes.Noise(random, random.Next(0, 60))],   // a TLS hello's start
                2 => Preamble[..random.Next(1, 5)],                              // a partial preamble, then silence
                3 => [.. Preamble, .. FuzzBytes.Noise(random, random.Next(0, RelayTicket.TokenSize))], // a partial token
                4 => [.. Preamble, .. FuzzBytes.Noise(random, RelayTicket.TokenSize)],     // an unknown token
                _ => [.. Preamble, .. tokens.Asker, .. "TLS follows"u8],         // a real relay side, its TLS behind
            };
            using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.LocalEndPoint!);
            using var server = await listener.AcceptAsync();
            await client.SendAsync(sent);

            var taken = await relay.TryTakeAsync(server).WaitAsync(TimeSpan.FromSeconds(5));

            if (sent[0] != Preamble[0])
            {
                Assert.False(taken);
                Assert.Equal(sent, await ReceiveAsync(server, sent.Length)); // every byte is still there for the handshake
            }
            else
            {
                Assert.True(taken);
                if (i % 6 == 5)
                {
                    // Its partner comes: what the asker sent after its preamble reaches it through the splice.
                    using var invited = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    await invited.ConnectAsync(listener.LocalEndPoint!);
                    var invitedServer = await listener.AcceptAsync();
                    await invited.SendAsync((byte[])[.. Preamble, .. tokens.Invited]);
                    Assert.True(await relay.TryTakeAsync(invitedServer).WaitAsync(TimeSpan.FromSeconds(5)));
                    Assert.Equal("TLS follows"u8.ToArray(), await ReceiveAsync(invited, "TLS follows".Length));
                }
                else
                {
                    Assert.Equal(0, await client.ReceiveAsync(new byte[1]).WaitAsync(TimeSpan.FromSeconds(5))); // closed
                }
            }
        }
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read)).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.NotEqual(0, n);
            read += n;
        }
        return buffer;
    }

    /// <summary>The bytes as a sequence of up to three segments, as a pipe might hold them.</summary>
    private static ReadOnlySequence<byte> Split(byte[] bytes, Random random)
    {
        if (bytes.Length < 2)
        {
            return new ReadOnlySequence<byte>(bytes);
        }
        var cut = random.Next(1, bytes.Length);
        var first = new Segment(bytes[..cut], 0);
        var last = first.Append(bytes[cut..]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
