using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Parley.Cli.Tests;

/// <summary>Runs the real <c>parley</c> executable (parley.dll beside the tests) as a child process.</summary>
internal static class Parley
{
    public static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "parley.dll");

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, string? stdin = null)
    {
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Remove("PARLEY_HOME");
        return info;
    }

    /// <summary>The dotnet host running these tests, so the child uses the same runtime.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet";

    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public JsonElement Json => JsonDocument.Parse(Out).RootElement;
    }

    /// <summary>Runs one CLI command to completion (bounded by a timeout).</summary>
    public static async Task<Result> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    public static async Task<Result> RunWithInputAsync(string? stdin, params string[] args)
    {
        using var process = Process.Start(StartInfo(args, stdin))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}

/// <summary>A <c>parley up</c> process with its own home, on loopback ports picked by the OS.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(string home, Process process)
    {
        Home = home;
        _process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Home { get; }

    public Process Process => _process;

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

    public static async Task<NodeProcess> StartAsync(string home, params string[] extra)
    {
        string[] args = ["--home", home, "up", "--port", "0", "--api-port", "0", "--no-discovery", .. extra];
        var process = Process.Start(Parley.StartInfo(args))!;
        var node = new NodeProcess(home, process);
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(node._ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != node._ready.Task)
        {
            throw new InvalidOperationException($"parley up did not get ready:\n{node.Output}");
        }
        return node;
    }

    public Task<Parley.Result> CliAsync(params string[] args) => Parley.RunAsync(["--home", Home, .. args]);

    public async Task<JsonElement> StatusAsync() => (await CliAsync("status", "--json")).Json;

    /// <summary>Waits until the node's output has a line containing <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no '{text}' in:\n{Output}");
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
