using Parley.Node.Rooms;

namespace Parley.Cli.Verbs;

internal sealed class RoomsVerb : IVerb
{
    public string Name => "rooms";

    public string Arguments => "[--json]";

    public string Summary => "list the hub's rooms (public or invite-only, topic, members) and the ones you are in";

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
        foreach (var room in reply.Details)
        {
            var topic = room.Topic.Length > 0 ? $"  {TerminalText.Safe(room.Topic)}" : "";
            context.Out.WriteLine($"{room.Name,-24} {(room.Public ? "public" : "invite-only"),-12} {room.Members,4} members{(room.Joined ? "  (joined)" : "")}{topic}");
        }
        return ExitCodes.Ok;
    }
}

/// <summary><c>parley room ACTION ROOM [...]</c>: being in rooms, and what owners do to them.</summary>
internal sealed class RoomVerb : IVerb
{
    public string Name => "room";

    public string Arguments =>
        "create <room> [--public] | join <room or parley-room: link> | leave|members|info <room> | invite <room> <member>|--link | remove <room> <member>"
        + " | topic <room> <text> | public <room> on|off  [--json]"
        + " | call <room> [--video] [--screen] [--source FILE] [--seconds N] [--record-dir DIR] | hangup <room>";

    public string Summary => "create, join or leave a room; see who is in it; as an owner invite, remove, set the topic, make it public;"
        + " call: join the room's call with ffmpeg as camera and microphone, recording the others";

    public IReadOnlyCollection<string> ValuedOptions => RoomCallActions.ValuedOptions;

    public IReadOnlyCollection<string> FlagOptions => ["--json", "--public", "--link", .. RoomCallActions.FlagOptions];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(2, int.MaxValue);
        var (action, room) = (context.Args.Positional[0], context.Args.Positional[1]);
        var rest = context.Args.Positional.Skip(2).ToList();
        using var api = context.Api();
        var actions = new RoomActions(context, api, room);
        var call = new RoomCallActions(context, api, room);
        (int, Func<IReadOnlyList<string>, Task>) chosen = action switch
        {
            "create" => (0, actions.CreateAsync),
            "join" => (0, actions.JoinAsync),
            "leave" => (0, actions.LeaveAsync),
            "members" => (0, actions.MembersAsync),
            "info" => (0, actions.InfoAsync),
            "invite" => (context.Args.Has("--link") ? 0 : 1, actions.InviteAsync),
            "remove" => (1, actions.RemoveAsync),
            "public" => (1, actions.PublicAsync),
            "topic" => (-1, actions.TopicAsync),
            "call" => (0, call.CallAsync),
            "hangup" => (0, call.HangupAsync),
            _ => throw new UsageException($"unknown room action '{TerminalText.Safe(action)}'"),
        };
        var (fixedArguments, run) = chosen;
        if (fixedArguments >= 0 && rest.Count != fixedArguments)
        {
            throw new UsageException(rest.Count > fixedArguments ? $"unexpected argument '{TerminalText.Safe(rest[fixedArguments])}'" : "missing argument");
        }
        await run(rest).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
