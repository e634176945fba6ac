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
        var reply = await api.GetAsync<RoomsReply>("api/rooms").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(reply);
            return ExitCodes.Ok;
        }
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
        if (action == "leave")
        {
            var left = await api.PostAsync<RoomLeftReply>($"api/rooms/{segment}/leave").ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(left);
            }
            else
            {
                context.Out.WriteLine($"left {left.Left}");
            }
            return ExitCodes.Ok;
        }
        var members = action switch
        {
            "create" => await api.PostAsync<List<RoomMemberView>>("api/rooms", new RoomRequest(room)).ConfigureAwait(false),
            "join" => await api.PostAsync<List<RoomMemberView>>($"api/rooms/{segment}/join").ConfigureAwait(false),
            "members" => await api.GetAsync<List<RoomMemberView>>($"api/rooms/{segment}/members").ConfigureAwait(false),
            _ => throw new UsageException($"unknown room action '{TerminalText.Safe(action)}'"),
        };
        if (context.Json)
        {
            context.WriteJson(members);
            return ExitCodes.Ok;
        }
        foreach (var member in members)
        {
            context.Out.WriteLine($"  {TerminalText.Safe(member.Name),-20} {member.DeviceId}  {(member.Online ? "online" : "offline")}");
        }
        return ExitCodes.Ok;
    }
}
