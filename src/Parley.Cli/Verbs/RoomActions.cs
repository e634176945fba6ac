using Parley.Node.Rooms;

namespace Parley.Cli.Verbs;

/// <summary>Each <c>parley room</c> action: one call to the node's <c>/api/rooms</c> and what it prints.</summary>
internal sealed class RoomActions(CliContext context, ApiClient api, string room)
{
    private string Segment => ApiClient.Segment(room);

    public async Task CreateAsync(IReadOnlyList<string> args) =>
        PrintMembers(await api.PostAsync<List<RoomMemberView>>("api/rooms", new RoomRequest(room, context.Args.Has("--public"))).ConfigureAwait(false));

    public async Task JoinAsync(IReadOnlyList<string> args)
    {
        if (room.StartsWith(Parley.Core.Hub.Rooms.RoomInvite.LinkPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var joined = await api.PostAsync<RoomJoinedReply>("api/rooms/join-link", new RoomJoinLinkRequest(room)).ConfigureAwait(false);
            if (!context.Json)
            {
                context.Out.WriteLine($"joined {joined.Room}");
            }
            PrintMembers(joined.Members);
            return;
        }
        PrintMembers(await api.PostAsync<List<RoomMemberView>>($"api/rooms/{Segment}/join").ConfigureAwait(false));
    }

    public async Task LeaveAsync(IReadOnlyList<string> args)
    {
        var left = await api.PostAsync<RoomLeftReply>($"api/rooms/{Segment}/leave").ConfigureAwait(false);
        Print(left, $"left {left.Left}");
    }

    public async Task MembersAsync(IReadOnlyList<string> args) =>
        PrintMembers(await api.GetAsync<List<RoomMemberView>>($"api/rooms/{Segment}/members").ConfigureAwait(false));

    public async Task InfoAsync(IReadOnlyList<string> args) => PrintView(await api.GetAsync<RoomView>($"api/rooms/{Segment}").ConfigureAwait(false));

    public async Task InviteAsync(IReadOnlyList<string> args)
    {
        if (context.Args.Has("--link"))
        {
            var link = await api.PostAsync<RoomLinkReply>($"api/rooms/{Segment}/invite-link").ConfigureAwait(false);
            Print(link, $"{link.Link}\n(anyone with this link may join {link.Room} until {link.ExpiresAt.ToLocalTime():yyyy-MM-dd HH:mm}: parley room join '<link>')");
            return;
        }
        var invited = await api.PostAsync<RoomMemberReply>($"api/rooms/{Segment}/invite", new RoomMemberRequest(args[0])).ConfigureAwait(false);
        Print(invited, $"invited {TerminalText.Safe(args[0])} ({invited.DeviceId}) to {invited.Room}: they join with parley room join {invited.Room}");
    }

    public async Task RemoveAsync(IReadOnlyList<string> args)
    {
        var removed = await api.PostAsync<RoomMemberReply>($"api/rooms/{Segment}/remove", new RoomMemberRequest(args[0])).ConfigureAwait(false);
        Print(removed, $"removed {TerminalText.Safe(args[0])} from {removed.Room}");
    }

    public Task TopicAsync(IReadOnlyList<string> args) =>
        args.Count == 0 ? throw new UsageException("missing argument") : SetPolicyAsync(new RoomPolicyRequest(string.Join(' ', args), null));

    public Task PublicAsync(IReadOnlyList<string> args) => args[0] switch
    {
        "on" => SetPolicyAsync(new RoomPolicyRequest(null, true)),
        "off" => SetPolicyAsync(new RoomPolicyRequest(null, false)),
        _ => throw new UsageException("say on or off"),
    };

    private async Task SetPolicyAsync(RoomPolicyRequest request) =>
        PrintView(await api.PostAsync<RoomView>($"api/rooms/{Segment}/policy", request).ConfigureAwait(false));

    private void Print<T>(T reply, string text) where T : notnull
    {
        if (context.Json)
        {
            context.WriteJson(reply);
        }
        else
        {
            context.Out.WriteLine(text);
        }
    }

    private void PrintView(RoomView view)
    {
        if (context.Json)
        {
            context.WriteJson(view);
            return;
        }
        context.Out.WriteLine($"{view.Name}  {(view.Public ? "public: anyone on the hub may join" : "invite-only")}{(view.IAmOwner ? "  (you own it)" : "")}");
        if (view.Topic.Length > 0)
        {
            context.Out.WriteLine($"topic: {TerminalText.Safe(view.Topic)}");
        }
        PrintMembers(view.Members);
    }

    private void PrintMembers(IReadOnlyList<RoomMemberView> members)
    {
        if (context.Json)
        {
            context.WriteJson(members);
            return;
        }
        foreach (var member in members)
        {
            context.Out.WriteLine($"  {TerminalText.Safe(member.Name),-20} {member.DeviceId}  {(member.Online ? "online" : "offline")}{(member.Owner ? "  owner" : "")}");
        }
    }
}
