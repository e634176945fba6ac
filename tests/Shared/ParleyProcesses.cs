using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Parley.Testing;

/// <summary>What one CLI command printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;
}

/// <summary>
/// Runs the real <c>parley</c> executable (parley.dll, copied beside the tests) as a child process,
/// optionally behind a prefix such as <c>ip netns exec NS</c>. Shared by the process test projects.
/// </summary>
internal sealed class ParleyRunner(params string[] prefix)
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "parley.dll");

    public static ParleyRunner Local { get; } = new();

    public static ParleyRunner InNamespace(string ns) => new("ip", "netns", "exec", ns);

    /// <summary>Variables set for the child, e.g. its own TMPDIR so a test can watch what it writes there.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public ProcessStartInfo StartInfo(IEnumerable<string> args, bool redirectInput = false)
    {
        string[] command = [.. prefix, DotnetHost(), Dll, .. args];
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = redirectInput };
        foreach (var arg in command[1..])
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Remove("PARLEY_HOME");
        foreach (var (key, value) in Environment)
        {
            info.Environment[key] = value;
        }
        return info;
    }

    /// <summary>The dotnet host running these tests, so the child uses the same runtime.</summary>
    private static string DotnetHost() =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : System.Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? System.Environment.ProcessPath : "dotnet";

    /// <summary>Runs one CLI command to completion, within a minute.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            // A child that kept our pipes open (the CLI gone, its output not ended) is not waited for without a bound either.
            return new CliResult(process.ExitCode, await output.WaitAsync(TimeSpan.FromSeconds(5)), await error.WaitAsync(TimeSpan.FromSeconds(5)));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"parley {string.Join(' ', args)} did not finish within a minute");
        }
    }
}

/// <summary>A <c>parley up</c> process with its own home; its output is kept for assertions.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly ParleyRunner _runner;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(ParleyRunner runner, string home, Process process)
    {
        _runner = runner;
        Home = home;
        Process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Home { get; }

    public Process Process { get; }

    public string Output => string.Join('\n', _lines);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lines.Enqueue(line);
        if (line == "ready")
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>
    /// Starts <c>parley --home HOME up ARGS</c> and waits for its "ready" line. Port mapping is off (a test
    /// must not ask the host's router for ports) unless ARGS choose methods with <c>--port-mapping</c>.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(ParleyRunner runner, string home, params string[] upArgs)
    {
        string[] mapping = upArgs.Contains("--port-mapping") ? [] : ["--no-port-mapping"];
        var process = Process.Start(runner.StartInfo(["--home", home, "up", .. mapping, .. upArgs]))!;
        var node = new NodeProcess(runner, home, process);
        var first = await Task.WhenAny(node._ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != node._ready.Task)
        {
            throw new InvalidOperationException($"parley up did not get ready:\n{node.Output}");
        }
        return node;
    }

    /// <summary>Runs a CLI verb against this node's home.</summary>
    public Task<CliResult> CliAsync(params string[] args) => _runner.RunAsync(["--home", Home, .. args]);

    public async Task<JsonElement> StatusAsync() => (await CliAsync("status", "--json")).Json;

    /// <summary>Waits until <paramref name="deviceId"/> has linked and asks to connect (its add is stored at once, its link comes a dial tick later).</summary>
    public async Task WaitForRequestAsync(string deviceId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await CliAsync("requests", "--json")).Out.Contains(deviceId, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{deviceId} did not ask to connect within 30 s");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Makes two running nodes contacts (a adds b by address, b adds a) and waits until their link is up.</summary>
    public static async Task BefriendAsync(NodeProcess a, NodeProcess b)
    {
        var aStatus = await a.StatusAsync();
        var bStatus = await b.StatusAsync();
        await a.CliAsync("add", bStatus.GetProperty("deviceId").GetString()!, $"127.0.0.1:{bStatus.GetProperty("peerPort").GetInt32()}");
        await b.CliAsync("add", aStatus.GetProperty("deviceId").GetString()!);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await a.CliAsync("peers", "--json")).Json.GetProperty("contacts")[0].GetProperty("acceptsUs").ValueKind != JsonValueKind.True)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the two nodes did not link within 60 s");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the node's output has a line containing <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no '{text}' in:\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await Process.WaitForExitAsync(timeout.Token);
        return Process.ExitCode;
    }

    /// <summary>Asks the node to stop (as a user would), and kills it if it has not within 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            try
            {
                await CliAsync("stop");
                await WaitForExitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                // A stop that failed or took too long: killed, so no node outlives its test.
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        Process.Dispose();
    }
}

/// <summary>A <c>parley hub</c> process; <see cref="Invite"/> is the invite line it printed. Killed on dispose.</summary>
internal sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private HubProcess(Process process, string invite)
    {
        _process = process;
        Invite = invite;
        // Drained for as long as it runs: a busy hub logs enough to fill a pipe nobody reads, and then it would stall.
        // (stdout was read line by line up to "ready", so it goes on that way; stderr was never touched.)
        _drained = DrainAsync(process.StandardOutput);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginErrorReadLine();
    }

    private readonly Task _drained;

    public string Invite { get; }

    /// <summary>The ports of an invite's addresses, in order (a cluster's invite lists every live hub, the giver's first).</summary>
    public static List<int> InvitePorts(string invite) =>
        [.. invite.Split('?', 2)[1].Split('&').Where(p => p.StartsWith("addr=", StringComparison.Ordinal))
            .Select(p => int.Parse(p[(p.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture))];

    private async Task DrainAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is { } line)
        {
            OnLine(line);
        }
    }

    /// <summary>Everything the hub logged after its "ready" line (stdout and stderr).</summary>
    public string Output => string.Join('\n', _lines);

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>The hub's process ID (for its memory and CPU in /proc).</summary>
    public int Pid => _process.Id;

    /// <summary>Starts <c>parley --home HOME hub ARGS</c> and waits for its "ready" line, reading the invite on the way.</summary>
    public static async Task<HubProcess> StartAsync(ParleyRunner runner, string home, params string[] hubArgs)
    {
        var process = Process.Start(runner.StartInfo(["--home", home, "hub", .. hubArgs]))!;
        string? invite = null;
        try
        {
            while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line && line != "ready")
            {
                invite = line.TrimStart().StartsWith("invite", StringComparison.Ordinal) ? line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] : invite;
            }
        }
        catch
        {
            process.Kill();
            throw;
        }
        if (invite is null)
        {
            // It ended before "ready": say why it did (its stderr).
            process.Kill();
            var why = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5));
            throw new InvalidOperationException($"parley hub printed no invite: {why}");
        }
        return new HubProcess(process, invite);
    }

    /// <summary>SIGKILL, as a crash: the hub says goodbye to no one. Once; disposing after does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _killed, 1) == 1)
        {
            return;
        }
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await _drained.WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private int _killed;
}

/// <summary>Hashes for checking that a received file equals the sent one.</summary>
internal static class FileHash
{
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
