using Parley.Testing;

namespace Parley.Web.Tests;

/// <summary>A hub, and alice, bob and carol in the page, members of #team (the room tests start so).</summary>
internal sealed class RoomOfThree : IAsyncDisposable
{
    private HubProcess _hub = null!;

    public Browser Browser { get; private init; } = null!;

    public WebNode Alice { get; private set; } = null!;

    public WebNode Bob { get; private set; } = null!;

    public WebNode Carol { get; private set; } = null!;

    /// <summary>The hub's invite, for a member who comes later.</summary>
    public string HubInvite => _hub.Invite;

    /// <summary>Starts them; alice's page opens in <paramref name="aliceBrowser"/> when given (a headed one that can share a real screen; the caller disposes it).</summary>
    public static async Task<RoomOfThree> StartAsync(string root, Browser? aliceBrowser = null)
    {
        var room = new RoomOfThree { Browser = await Browser.LaunchAsync() };
        try
        {
            room._hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "hub"), "--port", "0");
            string[] onHub = ["--hub", room._hub.Invite];
            room.Alice = await WebNode.StartAsync(aliceBrowser ?? room.Browser, Path.Combine(root, "alice"), "alice", 1280, onHub);
            room.Bob = await WebNode.StartAsync(room.Browser, Path.Combine(root, "bob"), "bob", 1280, onHub);
            room.Carol = await WebNode.StartAsync(room.Browser, Path.Combine(root, "carol"), "carol", 1280, onHub);
            await RoomDeliveryTests.RoomOfThreeAsync(room.Alice.Node, room.Bob.Node, room.Carol.Node);
            return room;
        }
        catch
        {
            await room.DisposeAsync(); // what started, stopped: no process outlives a failed start
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Each stopped whatever the one before did: a stop that throws must not leave the rest running.
        IAsyncDisposable?[] parts = [Carol, Bob, Alice, _hub, Browser];
        var failures = new List<Exception>();
        foreach (var part in parts)
        {
            try
            {
                if (part is not null)
                {
                    await part.DisposeAsync();
                }
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        if (failures.Count > 0)
        {
            throw new AggregateException("stopping the room of three", failures);
        }
    }
}
