using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Parley.EndToEnd.Tests;

/// <summary>Runs the real parley executable inside a network namespace (<c>ip netns exec</c>).</summary>
internal static class NamespacedParley
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "parley.dll");

    public static ProcessStartInfo StartInfo(string ns, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", ns, DotnetHost(), Dll }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Remove("PARLEY_HOME");
        return info;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet";

    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public JsonElement Json => JsonDocument.Parse(Out).RootElement;
    }

    public static async Task<Result> RunAsync(string ns, params string[] args)
    {
        using var process = Process.Start(StartInfo(ns, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}

/// <summary>A <c>parley up</c> on the default ports inside a namespace, as on a real machine.</summary>
internal sealed class NamespacedNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NamespacedNode(string ns, string home, Process process)
    {
        Namespace = ns;
        Home = home;
        _process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Namespace { get; }

    public string Home { get; }

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

    public static async Task<NamespacedNode> StartAsync(string ns, string home, params string[] extra)
    {
        var process = Process.Start(NamespacedParley.StartInfo(ns, ["--home", home, "up", .. extra]))!;
        var node = new NamespacedNode(ns, home, process);
        var first = await Task.WhenAny(node._ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != node._ready.Task)
        {
            throw new InvalidOperationException($"parley up in {ns} did not get ready:\n{node.Output}");
        }
        return node;
    }

    public Task<NamespacedParley.Result> CliAsync(params string[] args) => NamespacedParley.RunAsync(Namespace, ["--home", Home, .. args]);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await CliAsync("stop");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
