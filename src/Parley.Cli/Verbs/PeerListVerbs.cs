using Parley.Node.Contacts;

namespace Parley.Cli.Verbs;

internal sealed class PeersVerb : IVerb
{
    public string Name => "peers";

    public string Arguments => "[--json]";

    public string Summary => "list nearby devices, contacts (online, last seen) and requests";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var peers = await api.GetAsync<PeersView>("api/peers").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(peers);
            return ExitCodes.Ok;
        }
        context.Out.WriteLine("contacts:");
        PeerText.WriteList(context, [.. peers.Contacts.Select(p => new PeerLine(p.Name, p.DeviceId, p.Online
            ? $"online ({p.Path ?? p.Link}{(p.AcceptsUs == true ? "" : ", has not accepted you yet")})"
            : $"offline, last seen {LastSeen(p.LastSeen)}"))]);
        context.Out.WriteLine("requests:");
        PeerText.WriteList(context, [.. peers.Requests.Select(p => new PeerLine(p.Name, p.DeviceId, "asks to connect: parley accept " + PeerText.ShortId(p.DeviceId)))]);
        if (peers.Hub.Count > 0)
        {
            context.Out.WriteLine("on the hub:");
            PeerText.WriteList(context, [.. peers.Hub.Select(p => new PeerLine(p.Name, p.DeviceId,
                (p.Online ? "online" : $"offline, last seen {LastSeen(p.LastSeen)}") + StateSuffix(p.State)))]);
        }
        context.Out.WriteLine("nearby:");
        PeerText.WriteList(context, [.. peers.Nearby.Select(p => new PeerLine(p.Name, p.DeviceId, p.Address + StateSuffix(p.State)))]);
        return ExitCodes.Ok;
    }

    private static string LastSeen(DateTimeOffset? when) => when is { } time ? CliContext.Ago(time) : "never";

    /// <summary>", contact" for a device we have decided about; nothing for a stranger.</summary>
    private static string StateSuffix(Node.Storage.PeerState? state) => state is { } known ? ", " + PeerText.Json(known) : "";
}

internal sealed class RequestsVerb : IVerb
{
    public string Name => "requests";

    public string Arguments => "[--json]";

    public string Summary => "list devices waiting for you to accept, deny or block them";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var requests = await api.GetAsync<IReadOnlyList<PeerView>>("api/requests").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(requests);
            return ExitCodes.Ok;
        }
        PeerText.WriteList(context, [.. requests.Select(p => new PeerLine(p.Name, p.DeviceId, $"from {p.Address ?? "?"}, {(p.Online ? "online" : "offline")}"))]);
        return ExitCodes.Ok;
    }
}
