using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Parley.Node;

namespace Parley.Testing;

/// <summary>
/// One room message (or notice) as <c>history '#room' --json</c> shows it. <see cref="RoomSeq"/>,
/// <see cref="Delivered"/>, <see cref="Recipients"/> and <see cref="WaitingFor"/> are null where the
/// node does not say (before the room log, or on others' messages).
/// </summary>
internal sealed record RoomLine(string Id, string Text, string State, string? Sender, bool Outgoing, long? RoomSeq, int? Delivered, int? Recipients, string? WaitingFor)
{
    /// <summary>The node's own order of its history (<c>seq</c>), for paging back with <c>before</c>.</summary>
    public long Seq { get; init; }

    public bool IsNotice => State.Equals("notice", StringComparison.OrdinalIgnoreCase);

    public bool IsWaitingForKey => State.Equals("waitingForKey", StringComparison.OrdinalIgnoreCase);

    public static RoomLine From(JsonElement m) => new(
        m.GetProperty("id").GetString()!,
        m.GetProperty("text").GetString() ?? "",
        m.GetProperty("state").ValueKind == JsonValueKind.Number ? m.GetProperty("state").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : m.GetProperty("state").GetString()!,
        m.TryGetProperty("sender", out var sender) && sender.ValueKind == JsonValueKind.String ? sender.GetString() : null,
        m.GetProperty("outgoing").GetBoolean(),
        Number(m, "roomSeq"), (int?)Number(m, "delivered"), (int?)Number(m, "recipients"),
        m.TryGetProperty("waitingFor", out var waiting) && waiting.ValueKind == JsonValueKind.String ? waiting.GetString() : null)
    {
        Seq = Number(m, "seq") ?? 0,
    };

    private static long? Number(JsonElement m, string name) => m.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;
}

/// <summary>
/// A <c>parley up</c> process in a <see cref="RoomCluster"/> that can be killed with SIGKILL (no
/// goodbye to the hub, nothing flushed) and started again on the same home. Sends and history go
/// straight to its local API (what <c>parley chat</c> and <c>parley history --json</c> call),
/// so hundreds of messages do not cost a CLI process each; membership goes through the CLI verbs.
/// </summary>
internal sealed class ClusterNode : IAsyncDisposable
{
    private readonly ParleyRunner _runner;
    private readonly string[] _upArgs;
    private HttpClient? _api;

    public ClusterNode(ParleyRunner runner, string name, string home, string[] upArgs)
    {
        _runner = runner;
        Name = name;
        Home = home;
        _upArgs = upArgs;
    }

    public string Name { get; }

    public string Home { get; }

    /// <summary>The running process, or null while the node is down.</summary>
    public NodeProcess? Process { get; private set; }

    public bool IsUp => Process is { Process.HasExited: false };

    /// <summary>Its device ID as the API writes it (the <c>sender</c> of its messages), known once it has run.</summary>
    public string DeviceId { get; private set; } = "";

    /// <summary>Everything every run of this node printed, for a failing test's message.</summary>
    public string Output => _pastOutput + Process?.Output;

    private string _pastOutput = "";

    public async Task StartAsync()
    {
        if (IsUp)
        {
            throw new InvalidOperationException($"{Name} is running already");
        }
        Process = await NodeProcess.StartAsync(_runner, Home, ["--name", Name, .. _upArgs]);
        var runtime = JsonSerializer.Deserialize<RuntimeInfo>(await File.ReadAllTextAsync(HomeFolder.RuntimePath(Home)), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        DeviceId = (await Process.StatusAsync()).GetProperty("deviceId").GetString()!;
        _api?.Dispose();
        _api = new HttpClient { BaseAddress = new Uri(runtime.ApiUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(HomeFolder.ApiKeyPath(Home))).Trim());
        // "ready" comes before the hub link: room verbs given before it would fail with "the hub is not reachable".
        if (!await RoomCluster.WaitAsync(async () => JsonDocument.Parse(await _api.GetStringAsync("api/hub")).RootElement.GetProperty("connected").GetBoolean(),
            TimeSpan.FromSeconds(30), pollMs: 100))
        {
            throw new TimeoutException($"{Name} did not link to the hub within 30 s:\n{Output}");
        }
    }

    /// <summary>SIGKILL, as a crash or a pulled plug would end it: no stop command, no goodbye to the hub.</summary>
    public async Task KillAsync()
    {
        if (Process is not { } process)
        {
            return;
        }
        Process = null;
        process.Process.Kill(entireProcessTree: true);
        await process.Process.WaitForExitAsync();
        _pastOutput += process.Output + "\n--- killed ---\n";
        process.Process.Dispose();
    }

    /// <summary>Runs a CLI verb against this node's home (it fails with the CLI's own message while the node is down).</summary>
    public Task<CliResult> CliAsync(params string[] args) => _runner.RunAsync(["--home", Home, .. args]);

    /// <summary>Runs a CLI verb that must succeed.</summary>
    public async Task<CliResult> MustAsync(params string[] args)
    {
        var result = await CliAsync(args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Name}: parley {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Out}");
        }
        return result;
    }

    /// <summary>Sends <paramref name="text"/> to <paramref name="room"/> as <c>parley chat '#room' TEXT</c> does; throws with the node's answer if it refuses.</summary>
    public async Task<RoomLine> SendAsync(string room, string text)
    {
        using var reply = await Api.PostAsJsonAsync($"api/chat/{Uri.EscapeDataString("#" + room.TrimStart('#'))}", new { text });
        var body = await reply.Content.ReadAsStringAsync();
        if (!reply.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{Name} could not send to #{room}: {(int)reply.StatusCode} {body}");
        }
        return RoomLine.From(JsonDocument.Parse(body).RootElement);
    }

    /// <summary>The room's newest <paramref name="limit"/> messages and notices, oldest first, as <c>parley history '#room' --json</c> prints them.</summary>
    public async Task<List<RoomLine>> HistoryAsync(string room, int limit = 10_000, long before = long.MaxValue)
    {
        var body = await Api.GetStringAsync($"api/chat/{Uri.EscapeDataString("#" + room.TrimStart('#'))}?limit={limit}{(before == long.MaxValue ? "" : $"&before={before}")}");
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(RoomLine.From)];
    }

    /// <summary>The room's whole history, oldest first, read back a page (the API's most, 10,000) at a time.</summary>
    public async Task<List<RoomLine>> FullHistoryAsync(string room)
    {
        var all = new List<RoomLine>();
        for (var before = long.MaxValue; ;)
        {
            var page = await HistoryAsync(room, 10_000, before);
            all.InsertRange(0, page);
            if (page.Count < 10_000)
            {
                return all;
            }
            before = page[0].Seq;
        }
    }

    /// <summary>The same through the CLI verb, to show the verb prints what the tests read.</summary>
    public async Task<List<RoomLine>> HistoryViaCliAsync(string room) =>
        [.. (await MustAsync("history", "#" + room.TrimStart('#'), "--limit", "10000", "--json")).Json.EnumerateArray().Select(RoomLine.From)];

    /// <summary>A GET on this node's local API, as text (for what no verb prints).</summary>
    public Task<string> GetStringAsync(string path) => Api.GetStringAsync(path);

    /// <summary>A POST of <paramref name="body"/> as JSON to this node's local API; throws with the node's answer if it refuses.</summary>
    public async Task PostAsync(string path, object body)
    {
        using var reply = await Api.PostAsJsonAsync(path, body);
        if (!reply.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{Name}: POST {path}: {(int)reply.StatusCode} {await reply.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>A WebSocket of this node's local API (a call's media channel), with its API key.</summary>
    public async Task<System.Net.WebSockets.ClientWebSocket> OpenSocketAsync(string path)
    {
        var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", Api.DefaultRequestHeaders.Authorization!.ToString());
        await socket.ConnectAsync(new UriBuilder(new Uri(Api.BaseAddress!, path)) { Scheme = "ws" }.Uri, CancellationToken.None);
        return socket;
    }

    private HttpClient Api => IsUp && _api is not null ? _api : throw new InvalidOperationException($"{Name} is not running");

    public async ValueTask DisposeAsync()
    {
        _api?.Dispose();
        if (Process is { } process)
        {
            Process = null;
            await process.DisposeAsync();
        }
    }
}

/// <summary>
/// A <c>parley hub</c> process and <c>parley up</c> processes joined to it (each with <c>--hub INVITE
/// --no-discovery</c>, ports 0), each in its own home under one temporary folder: the shape in which
/// rooms lost messages when the in-process tests saw nothing wrong. Room verbs follow the CLI: where
/// rooms are invite-only, <see cref="JoinAsync"/> has the room's owner invite the joiner first.
/// </summary>
internal sealed class RoomCluster : IAsyncDisposable
{
    private readonly Dictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    private readonly ParleyRunner _runner;
    private bool? _invitesNeeded;

    private RoomCluster(ParleyRunner runner, string root, HubProcess hub)
    {
        _runner = runner;
        Root = root;
        Hub = hub;
    }

    public string Root { get; }

    public string HubHome => Path.Combine(Root, "hub");

    public HubProcess Hub { get; }

    public IReadOnlyCollection<ClusterNode> Nodes => _nodes.Values;

    public ClusterNode this[string name] => _nodes[name];

    /// <summary>Starts a hub (with <paramref name="hubArgs"/>) and one node per name, all up before it returns.</summary>
    public static Task<RoomCluster> StartAsync(string root, IEnumerable<string> names, params string[] hubArgs) =>
        StartAsync(ParleyRunner.Local, root, names, ["--port", "0", .. hubArgs]);

    /// <summary>As <see cref="StartAsync(string, IEnumerable{string}, string[])"/>, with the hub run by <paramref name="hubRunner"/> (in a namespace of its own).</summary>
    public static async Task<RoomCluster> StartAsync(ParleyRunner hubRunner, string root, IEnumerable<string> names, string[] hubArgs)
    {
        var runner = ParleyRunner.Local;
        var hub = await HubProcess.StartAsync(hubRunner, Path.Combine(root, "hub"), hubArgs);
        var cluster = new RoomCluster(runner, root, hub);
        try
        {
            // Started side by side: each is a runtime starting up, and they do not depend on each other.
            await Task.WhenAll(names.ToList().Select(cluster.Add).Select(node => node.StartAsync()));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts one more node on the hub.</summary>
    public async Task<ClusterNode> AddAsync(string name)
    {
        var node = Add(name);
        await node.StartAsync();
        return node;
    }

    private ClusterNode Add(string name)
    {
        var node = new ClusterNode(_runner, name, Path.Combine(Root, name), ["--port", "0", "--api-port", "0", "--no-discovery", "--hub", Hub.Invite]);
        _nodes.Add(name, node);
        return node;
    }

    /// <summary>Whether this parley's rooms need an owner's invite to join (the room verb offers <c>invite</c>).</summary>
    public async Task<bool> InvitesNeededAsync() =>
        _invitesNeeded ??= (await _runner.RunAsync("room", "--help")).Out.Contains("invite", StringComparison.Ordinal);

    public Task CreateAsync(ClusterNode owner, string room) => owner.MustAsync("room", "create", room);

    /// <summary><paramref name="joiner"/> joins <paramref name="room"/>, invited by <paramref name="owner"/> first where rooms are invite-only.</summary>
    public async Task JoinAsync(ClusterNode owner, ClusterNode joiner, string room)
    {
        if (await InvitesNeededAsync())
        {
            // Not checked: an invite still standing from before may make a second one an error; the join says whether it holds.
            await owner.CliAsync("room", "invite", "#" + room.TrimStart('#'), joiner.DeviceId);
        }
        await joiner.MustAsync("room", "join", room);
    }

    public Task LeaveAsync(ClusterNode member, string room) => member.MustAsync("room", "leave", room);

    /// <summary>
    /// <paramref name="absent"/> is killed with SIGKILL, <paramref name="sender"/> sends each of
    /// <paramref name="texts"/> to <paramref name="room"/>, and <paramref name="absent"/> starts again on
    /// its home. Returns how long the sending took, how long the restart took (to "ready" and the hub
    /// link), and a watch running since the restart began. With <paramref name="perSecond"/>, sends are
    /// paced to at most that many a second (the hub drops a member that posts faster than its limit).
    /// </summary>
    public static async Task<(TimeSpan Sending, TimeSpan Up, Stopwatch SinceRestart)> MissAndReturnAsync(ClusterNode sender, ClusterNode absent, string room,
        IEnumerable<string> texts, int perSecond = 0)
    {
        await absent.KillAsync();
        var watch = Stopwatch.StartNew();
        var sent = 0;
        foreach (var text in texts)
        {
            if (perSecond > 0 && TimeSpan.FromSeconds((double)sent / perSecond) - watch.Elapsed is { TotalMilliseconds: > 1 } ahead)
            {
                await Task.Delay(ahead);
            }
            await sender.SendAsync(room, text);
            sent++;
        }
        var sending = watch.Elapsed;
        watch.Restart();
        await absent.StartAsync();
        return (sending, watch.Elapsed, watch);
    }

    /// <summary>Waits (polling) until <paramref name="condition"/> holds; false if it did not within <paramref name="within"/>.</summary>
    public static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan within, int pollMs = 250)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return true;
            }
            if (watch.Elapsed > within)
            {
                return false;
            }
            await Task.Delay(pollMs);
        }
    }

    /// <summary>
    /// Where <paramref name="marker"/> shows in the hub's home (its database and every other file, read
    /// as bytes, as UTF-8 and as UTF-16) or in what the hub logged; empty when the hub holds no readable byte of it.
    /// </summary>
    public List<string> PlaintextAtHub(string marker)
    {
        var found = new List<string>();
        var utf8 = Encoding.UTF8.GetBytes(marker);
        var utf16 = Encoding.Unicode.GetBytes(marker);
        foreach (var file in Directory.EnumerateFiles(HubHome, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            if (bytes.AsSpan().IndexOf(utf8) >= 0 || bytes.AsSpan().IndexOf(utf16) >= 0)
            {
                found.Add(file);
            }
        }
        if (Hub.Output.Contains(marker, StringComparison.Ordinal))
        {
            found.Add("the hub's log");
        }
        return found;
    }

    /// <summary>What each process printed, for a failing test's message.</summary>
    public string Logs(int lastLines = 40) =>
        string.Join("\n", _nodes.Values.Select(n => $"=== {n.Name} ===\n{Tail(n.Output, lastLines)}")) + $"\n=== hub ===\n{Tail(Hub.Output, lastLines)}";

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        // Nodes stop in parallel: each stop is a CLI process, and a slow one should not hold the others.
        await Task.WhenAll(_nodes.Values.Select(async n => await n.DisposeAsync()));
        await Hub.DisposeAsync();
    }
}
