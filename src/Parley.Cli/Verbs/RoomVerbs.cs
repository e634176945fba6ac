using System.Text.Json;
using Parley.Node.Events;
using Parley.Node.Rooms;

namespace Parley.Cli.Verbs;

internal sealed class RoomsVerb : IVerb
{
    public string Name => "rooms";

    public string Arguments => "[--json]";

    public string Summary => "list the hub's rooms and the ones you are in";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var rooms = await api.GetAsync("api/rooms").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(rooms);
            return ExitCodes.Ok;
        }
        var reply = rooms.Deserialize<RoomsReply>(EventHub.Json)!;
        foreach (var room in reply.Rooms)
        {
            context.Out.WriteLine($"{room}{(reply.Joined.Contains(room) ? "  (joined)" : "")}");
        }
        return ExitCodes.Ok;
    }
}

/// <summary><c>parley room create|join|leave|members NAME</c>.</summary>
internal sealed class RoomVerb : IVerb
{
    public string Name => "room";

    public string Arguments => "create|join|leave|members <name> [--json]";

    public string Summary => "create, join or leave a room on the hub, or list its members";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(2, 2);
        var (action, room) = (context.Args.Positional[0], context.Args.Positional[1]);
        var segment = ApiClient.Segment(room);
        using var api = context.Api();
        var result = action switch
        {
            "create" => await api.PostAsync("api/rooms", new RoomRequest(room)).ConfigureAwait(false),
            "join" => await api.PostAsync($"api/rooms/{segment}/join").ConfigureAwait(false),
            "leave" => await api.PostAsync($"api/rooms/{segment}/leave").ConfigureAwait(false),
            "members" => await api.GetAsync($"api/rooms/{segment}/members").ConfigureAwait(false),
            _ => throw new UsageException($"unknown room action '{TerminalText.Safe(action)}'"),
        };
        if (context.Json)
        {
            context.WriteJson(result);
            return ExitCodes.Ok;
        }
        if (action == "leave")
        {
            context.Out.WriteLine($"left {result.Deserialize<RoomLeftReply>(EventHub.Json)!.Left}");
            return ExitCodes.Ok;
        }
        foreach (var member in result.Deserialize<List<RoomMemberView>>(EventHub.Json)!)
        {
            context.Out.WriteLine($"  {TerminalText.Safe(member.Name),-20} {member.DeviceId}  {(member.Online ? "online" : "offline")}");
        }
        return ExitCodes.Ok;
    }
}
