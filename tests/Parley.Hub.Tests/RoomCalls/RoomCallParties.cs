using System.Net;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Hub.Rooms;
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
