using System.Buffers;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Directory;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.Relay;
using Parley.Core.Hub.Rooms;
using Parley.Core.Hub.UdpRelay;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Tests;

namespace Parley.Hub.Tests.Rules;

/// <summary>
/// The hub as its members' frames reach it: the real router and every real feature over a real
/// database, fed random and mutated frames of every type a hub link reads, from fake members. Each
/// frame ends in one of two known ways (handled, or a protocol error that closes the sender's link),
/// and everything the hub sends back is a well-formed frame of a type it declares.
/// </summary>
public sealed class HubRouterFuzzTests : WithHubDatabase
{
    private const int Frames = 5_000;
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task RandomAndMutatedFrames_FromMembers_EndHandledOrAsProtocolErrors_AndTheHubSendsOnlyWellFormedFrames()
    {
        // The flood limits are tested elsewhere; here they would only cut the fuzz short.
        var options = new HubOptions
        {
            Home = Home, TimeProvider = _time, RequestsPerSecond = 1e9, RequestBurst = 1_000_000_000, RoomMessagesPerSecond = 1e9, RoomNoticesPerSecond = 1e9,
        };
        var members = new FakeMembers(options);
        var (router, relay, _, _, _, udpRelay) = HubServer.Compose(options, Database, members.Registry, NullLogger.Instance);
        using var ownedRelay = relay;
        await using var ownedUdpRelay = udpRelay;
        using var aliceIdentity = NodeIdentity.CreateEphemeral();
        using var aliceKey = AgreementKey.CreateEphemeral();
        var (alice, aliceLink) = members.Join("alice", aliceIdentity);
        var (bob, bobLink) = members.Join("bob");
        var (carol, carolLink) = members.Join("carol");
        Member[] everyone = [alice, bob, carol];
        foreach (var member in everyone)
        {
            router.MemberConnected(member);
        }

        // Valid frames of each type a member sends, which later rounds mutate; and the types only the hub sends.
        var seeds = new Dictionary<FrameType, List<byte[]>>
        {
            [FrameType.DirectoryPublish] = [DirectoryEntry.Create(aliceIdentity, "alice", aliceKey.PublicKey, _time.GetUtcNow()).ToArray()],
            [FrameType.WhoisQuery] = [new WhoisQuery(1, "alice").ToArray(), new WhoisQuery(2, alice.Id.Compact[..10]).ToArray()],
            [FrameType.RelayRequest] = [new RelayRequest(bob.Id, 3).ToArray()],
            [FrameType.MailboxPut] = [new MailboxPut(4, bob.Id, [1, 2, 3]).ToArray()],
            [FrameType.MailboxAck] = [new MailboxAck(1).ToArray()],
            [FrameType.UdpRelayAllocate] = [new UdpRelayAllocate(11, System.Net.IPAddress.Loopback).ToArray()],
            [FrameType.UdpRelayPermit] = [new UdpRelayPermit(1, [System.Net.IPAddress.Loopback]).ToArray()],
            [FrameType.UdpRelayRelease] = [new UdpRelayRelease(1).ToArray()],
            [FrameType.RoomCommand] =
            [
                .. Enum.GetValues<RoomOp>().Select(op => new RoomCommand(5, op, "team").ToArray()),
                RoomCommand.Of(6, RoomOp.Create, "team", RoomPolicy.First(aliceIdentity, "team").ToArray()).ToArray(),
                RoomCommand.Of(7, RoomOp.Invite, "team", RoomInvite.Create(aliceIdentity, "team", bob.Id, _time.GetUtcNow().AddDays(1)).ToArray()).ToArray(),
                RoomCommand.Of(8, RoomOp.Join, "team", RoomInvite.Create(aliceIdentity, "team", null, _time.GetUtcNow().AddDays(1)).ToArray()).ToArray(),
                RoomCommand.Of(9, RoomOp.Policy, "team", RoomPolicy.Create(aliceIdentity, "team", 2, true, "topic", [alice.Id, bob.Id]).ToArray()).ToArray(),
                RoomCommand.Of(10, RoomOp.Remove, "team", bob.Id.Bytes.ToArray()).ToArray(),
            ],
            [FrameType.RoomKey] = [new RoomKey("team", alice.Id, bob.Id, 1, [9, 9]).ToArray()],
            [FrameType.RoomMessage] = [new RoomMessage(1, "team", alice.Id, [7, 7, 7]).ToArray()],
        };
        var types = Enumerable.Range(0, 256).Select(t => (FrameType)t)
            .Where(t => router.Frames.Contains(t) && !LinkFrames.Specs.Any(s => s.Type == t)).ToList(); // the link itself answers its own
        Assert.Contains(FrameType.Presence, types); // one the hub only sends

        var random = new Random(20260715);
        var (handled, refused) = (0, 0);
        for (var i = 0; i < Frames; i++)
        {
            var type = types[random.Next(types.Count)];
            var cap = router.Frames.MaxPayloadFor((byte)type)!.Value;
            var payload = seeds.TryGetValue(type, out var valid) && random.Next(3) > 0
                ? FuzzBytes.Mutate(random, valid[random.Next(valid.Count)], cap)
                : FuzzBytes.Noise(random, random.Next(0, Math.Min(cap, 4096) + 1));
            var frame = new Frame(type, 0, new ReadOnlySequence<byte>(payload));
            try
            {
                await router.RouteAsync(everyone[random.Next(everyone.Length)], frame);
                handled++;
            }
            catch (ProtocolException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                refused++;
            }
        }
        Assert.True(handled > Frames / 10 && refused > Frames / 10, $"{handled} handled, {refused} refused");

        var sends = router.Features.SelectMany(f => f.Sends).ToDictionary(s => s.Type, s => s.Message!);
        var sent = new[] { aliceLink, bobLink, carolLink }.SelectMany(link => link.Sent).ToList();
        Assert.NotEmpty(sent);
        foreach (var (type, bytes) in sent)
        {
            Assert.True(sends.ContainsKey(type), $"the hub sent a {type} frame, a type it does not declare");
            Assert.True(bytes.Length <= router.Frames.MaxPayloadFor((byte)type), $"a {type} frame of {bytes.Length} bytes is over its cap");
            // A room reply lists members or, for a list command, rooms: the same cap, two shapes.
            Assert.True(Reads(sends[type], bytes) || (type == FrameType.RoomReply && Reads(typeof(RoomListReply), bytes)), $"the hub sent a malformed {type} frame");
        }
    }

    private static bool Reads(Type message, byte[] payload) =>
        (bool)typeof(HubRouterFuzzTests).GetMethod(nameof(ReadsAs), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(message).Invoke(null, [payload])!;

    private static bool ReadsAs<T>(byte[] payload) where T : IWireMessage<T> => T.TryRead(new ReadOnlySequence<byte>(payload), out _, out _);
}
