using System.Net;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Node.RoomCalls;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>Participants of a public room's call on a test hub, each with a loopback address of its own (127.0.0.10, .11, ...).</summary>
internal static class RoomCallParties
{
    /// <summary>Connects <paramref name="names"/>, puts them in #<paramref name="room"/> (the first creates it) and, when asked, in its call with UDP bound.</summary>
    public static async Task<RoomCallParty> StartAsync(HubServer hub, string room, bool inCall, params string[] names)
    {
        var clients = new RoomCallClient[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            clients[i] = await RoomCallClient.ConnectAsync(hub.Port, names[i], IPAddress.Parse($"127.0.0.{10 + i}"));
            var error = i == 0 ? await clients[i].CreatePublicRoomAsync(room) : await clients[i].RoomAsync(RoomOp.Join, room, []);
            Assert.Null(error);
        }
        if (inCall)
        {
            foreach (var client in clients)
            {
                Assert.Null(await client.JoinCallAsync(room));
            }
            await BindAsync(hub, clients);
        }
        return new RoomCallParty(clients);
    }

    /// <summary>Each shows the hub its UDP address; returns once the hub knows them all.</summary>
    public static async Task BindAsync(HubServer hub, params RoomCallClient[] clients)
    {
        await Wait.UntilAsync(() =>
        {
            var bound = true;
            foreach (var client in clients)
            {
                if (hub.RoomCalls.CallOf(client.Link.Identity.DeviceId) is not { Participant.Udp: not null })
                {
                    client.Bind();
                    bound = false;
                }
            }
            return bound;
        }, "every participant bound over UDP");
    }

    /// <summary>
    /// Each node sends <paramref name="media"/> as video until every one has opened a frame of each other; none ever gets its own.
    /// Returns how many each sent (so the next video sequence of each).
    /// </summary>
    public static async Task<int> OpenEachOthersAsync(IReadOnlyList<TestNode> nodes, IReadOnlyDictionary<DeviceId, RoomCallMember> calls, byte[] media)
    {
        var opened = nodes.ToDictionary(n => n.Id, _ => new HashSet<DeviceId>());
        var rounds = 0;
        await Wait.UntilAsync(() =>
        {
            rounds++;
            foreach (var node in nodes)
            {
                calls[node.Id].SendMedia(RoomCallHop.VideoStream, media, keyframe: true);
                while (calls[node.Id].Received.TryRead(out var part))
                {
                    Assert.NotEqual(node.Id, part.From); // never its own
                    Assert.Equal(media, part.Media);
                    opened[node.Id].Add(part.From);
                }
            }
            return opened.Values.All(from => from.Count == nodes.Count - 1);
        }, "every node opened each other's frames");
        return rounds;
    }

    /// <summary>Once what <paramref name="to"/> had is read, <paramref name="from"/>'s audio until one part of it opens at <paramref name="to"/> (after a rekey).</summary>
    public static async Task OpensAsync(RoomCallMember from, DeviceId fromId, RoomCallMember to, byte[] media)
    {
        while (to.Received.TryRead(out _))
        {
        }
        await Wait.UntilAsync(() =>
        {
            from.SendMedia(RoomCallHop.AudioStream, media, keyframe: false);
            return to.Received.TryRead(out var part) && part.From == fromId;
        }, "frames opening under the sender's new key");
    }

    public static byte[] Body(string marker, int length = 1000)
    {
        var body = new byte[length];
        Random.Shared.NextBytes(body);
        System.Text.Encoding.ASCII.GetBytes(marker).CopyTo(body, 0);
        return body;
    }

    public static bool IsMedia((RoomCallHopHeader Header, byte[] Packet) got, ushort source) =>
        got.Header.Kind == RoomCallHopKind.Media && got.Header.Source == source;
}

/// <summary>The participants of one test, disposed together.</summary>
internal sealed class RoomCallParty(RoomCallClient[] clients) : IAsyncDisposable
{
    public RoomCallClient this[int index] => clients[index];

    public IReadOnlyList<RoomCallClient> All => clients;

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
