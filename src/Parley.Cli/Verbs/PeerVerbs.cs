using System.Text.Json;

namespace Parley.Cli.Verbs;

internal sealed class AddVerb : IVerb
{
    public string Name => "add";

    public string Arguments => "<device-id|invite> [host:port]";

    public string Summary => "make a device a contact (it must accept you too before you can chat)";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 2);
        var address = context.Args.Positional.Count > 1 ? context.Args.Positional[1] : null;
        using var api = context.Api();
        var peer = await api.PostAsync("api/contacts", new { target = context.Args.Positional[0], address }).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(peer);
        }
        else
        {
            context.Out.WriteLine($"added {PeerText.Describe(peer)}; it will be linked when reachable and once it accepts you");
        }
        return ExitCodes.Ok;
    }
}

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
        var peers = await api.GetAsync("api/peers").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(peers);
            return ExitCodes.Ok;
        }
        context.Out.WriteLine("contacts:");
        PeerText.WriteList(context, peers.GetProperty("contacts"), p =>
            p.GetProperty("online").GetBoolean()
                ? $"online ({p.GetProperty("link").GetString()}{(p.GetProperty("acceptsUs").GetBoolean() ? "" : ", has not accepted you yet")})"
                : $"offline, last seen {CliContext.Ago(p.GetProperty("lastSeen"))}");
        context.Out.WriteLine("requests:");
        PeerText.WriteList(context, peers.GetProperty("requests"), p => "asks to connect: parley accept " + PeerText.ShortId(p));
        if (peers.GetProperty("hub").GetArrayLength() > 0)
        {
            context.Out.WriteLine("on the hub:");
            PeerText.WriteList(context, peers.GetProperty("hub"), p =>
                (p.GetProperty("online").GetBoolean() ? "online" : $"offline, last seen {CliContext.Ago(p.GetProperty("lastSeen"))}")
                + (p.GetProperty("state").ValueKind == JsonValueKind.String ? ", " + p.GetProperty("state").GetString() : ""));
        }
        context.Out.WriteLine("nearby:");
        PeerText.WriteList(context, peers.GetProperty("nearby"), p =>
            $"{p.GetProperty("address").GetString()}{(p.GetProperty("state").ValueKind == JsonValueKind.String ? ", " + p.GetProperty("state").GetString() : "")}");
        return ExitCodes.Ok;
    }
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
        var requests = await api.GetAsync("api/requests").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(requests);
            return ExitCodes.Ok;
        }
        PeerText.WriteList(context, requests, p => $"from {p.GetProperty("address").GetString() ?? "?"}, {(p.GetProperty("online").GetBoolean() ? "online" : "offline")}");
        return ExitCodes.Ok;
    }
}

/// <summary>accept, deny and block: one peer argument, one API call.</summary>
internal abstract class PeerDecisionVerb(string name, string summary, string done) : IVerb
{
    public string Name => name;

    public string Arguments => "<peer>";

    public string Summary => summary;

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        using var api = context.Api();
        var peer = await api.PostAsync($"api/peers/{ApiClient.Segment(context.Args.Positional[0])}/{name}").ConfigureAwait(false);
        context.Out.WriteLine($"{done} {PeerText.Describe(peer)}");
        return ExitCodes.Ok;
    }
}

internal sealed class AcceptVerb() : PeerDecisionVerb("accept", "accept a device's request: it becomes a contact", "accepted");

internal sealed class DenyVerb() : PeerDecisionVerb("deny", "deny a device's request", "denied");

internal sealed class BlockVerb() : PeerDecisionVerb("block", "refuse a device, now and from now on", "blocked");

internal sealed class RenameVerb : IVerb
{
    public string Name => "rename";

    public string Arguments => "<peer> <new-name>";

    public string Summary => "give a contact your own name for it";

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(2, 2);
        using var api = context.Api();
        var peer = await api.PostAsync($"api/peers/{ApiClient.Segment(context.Args.Positional[0])}/rename",
            new { name = context.Args.Positional[1] }).ConfigureAwait(false);
        context.Out.WriteLine($"renamed {PeerText.Describe(peer)}");
        return ExitCodes.Ok;
    }
}

internal sealed class SafetyVerb : IVerb
{
    public string Name => "safety";

    public string Arguments => "<peer> [--json]";

    public string Summary => "print the safety number to compare with the peer (in person or by voice)";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        using var api = context.Api();
        var safety = await api.GetAsync($"api/peers/{ApiClient.Segment(context.Args.Positional[0])}/safety").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(safety);
            return ExitCodes.Ok;
        }
        context.Out.WriteLine(safety.GetProperty("safetyNumber").GetString());
        context.Out.WriteLine("Both of you should see the same number. If not, the link is not who you think it is.");
        return ExitCodes.Ok;
    }
}

internal static class PeerText
{
    public static string ShortId(JsonElement peer) => peer.GetProperty("deviceId").GetString()![..9];

    public static string Describe(JsonElement peer) =>
        $"{TerminalText.Safe(peer.GetProperty("name").GetString())} ({ShortId(peer)})";

    public static void WriteList(CliContext context, JsonElement list, Func<JsonElement, string> detail)
    {
        if (list.GetArrayLength() == 0)
        {
            context.Out.WriteLine("  (none)");
        }
        foreach (var peer in list.EnumerateArray())
        {
            context.Out.WriteLine($"  {TerminalText.Safe(peer.GetProperty("name").GetString()),-20} {peer.GetProperty("deviceId").GetString()}");
            context.Out.WriteLine($"  {"",-20} {TerminalText.Safe(detail(peer))}");
        }
    }
}
