using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// Debian's <c>janus</c> (1.1) as the room bench's other forwarding unit: its VideoRoom plugin and HTTP transport only,
/// configured in a folder of the bench's own, on a free port of 127.0.0.1's, one room (<see cref="Room"/>: six
/// publishers, VP8 and Opus, 1 Mbit/s a publisher at most, near what Parley's senders start at). Killed on dispose.
/// </summary>
internal sealed class JanusServer : IAsyncDisposable
{
    public const int Room = 1234;
    private const string Binary = "/usr/bin/janus";
    private const string Modules = "/usr/lib/x86_64-linux-gnu/janus";
    private readonly Process _process;

    private JanusServer(Process process, string url) => (_process, Url) = (process, url);

    /// <summary>The HTTP transport's root (<c>http://127.0.0.1:PORT/janus</c>): the pages run on this origin.</summary>
    public string Url { get; }

    public int Pid => _process.Id;

    /// <summary>Starts Janus, or says why it cannot (not installed, or not answering).</summary>
    public static async Task<(JanusServer? Server, string? Why)> TryStartAsync(string folder)
    {
        if (!File.Exists(Binary) || !File.Exists(Path.Combine(Modules, "plugins", "libjanus_videoroom.so")))
        {
            return (null, $"no {Binary} with the VideoRoom plugin (apt-get install janus)");
        }
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var others = (string kind, string keep) => string.Join(',', Directory.EnumerateFiles(Path.Combine(Modules, kind), "*.so").Select(Path.GetFileName).Where(f => f != keep));
        await File.WriteAllTextAsync(Path.Combine(folder, "janus.jcfg"), $$"""
            general: { configs_folder = "{{folder}}", plugins_folder = "{{Modules}}/plugins", transports_folder = "{{Modules}}/transports", events_folder = "{{Modules}}/events", loggers_folder = "{{Modules}}/loggers", debug_level = 3 }
            nat: { ice_ignore_list = "vmnet" }
            plugins: { disable = "{{others("plugins", "libjanus_videoroom.so")}}" }
            transports: { disable = "{{others("transports", "libjanus_http.so")}}" }
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, "janus.transport.http.jcfg"), $$"""
            general: { json = "compact", base_path = "/janus", http = true, port = {{port}}, ip = "127.0.0.1", https = false }
            admin: { admin_http = false }
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, "janus.plugin.videoroom.jcfg"), $$"""
            general: { }
            room-{{Room}}: { description = "bench", publishers = 6, bitrate = 1000000, videocodec = "vp8", audiocodec = "opus", fir_freq = 10 }
            """);
        var process = Process.Start(new ProcessStartInfo(Binary, ["--configs-folder", folder, "--log-file", Path.Combine(folder, "janus.log"), "--disable-colors"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new JanusServer(process, $"http://127.0.0.1:{port}/janus");
        using var http = new HttpClient();
        for (var tries = 0; tries < 100; tries++)
        {
            try
            {
                if ((await http.GetAsync($"{server.Url}/info")).IsSuccessStatusCode)
                {
                    return (server, null);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (process.HasExited)
            {
                break;
            }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        return (null, $"janus did not answer on {server.Url} within 10 s (see {folder}/janus.log)");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
