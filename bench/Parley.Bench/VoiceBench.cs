using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Hub;
using Parley.Node;
using Parley.Node.Attachments.Voice;

namespace Parley.Bench;

/// <summary>
/// A voice message from send to playable at the receiver: alice's node encodes a 10 s recording (ffmpeg),
/// encrypts and sends it to bob through an in-process hub; the clock stops when bob's API serves the whole
/// decrypted message to a player (<c>GET /api/attachments/{id}/content</c>). On loopback, then with every
/// TCP path (both nodes to the hub, and the peer link) behind a 20 ms each-way <see cref="DelayProxy"/>.
/// </summary>
internal static class VoiceBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 1 && args[0] == "--runs" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var root = Directory.CreateTempSubdirectory("parley-voicebench-").FullName;
        try
        {
            var recording = Path.Combine(root, "recording.wav");
            using (var ffmpeg = Process.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=f=300:d=10", "-ac", "1", "-ar", "48000", recording]))
            {
                await ffmpeg.WaitForExitAsync();
            }
            Console.WriteLine($"voice message send → playable at the receiver (10 s recording, encode + encrypt + hub + fetch + decrypt), {runs} runs each");
            var encoder = new VoiceEncoder(new VoiceOptions(), TimeProvider.System);
            var encodes = new double[runs];
            for (var run = 0; run < runs; run++)
            {
                var watch = Stopwatch.StartNew();
                await encoder.EncodeAsync(recording, Path.Combine(root, "encoded.ogg"), trim: null, default);
                encodes[run] = watch.Elapsed.TotalMilliseconds;
            }
            Console.WriteLine($"  {"of which encoding",-20} median {Median(encodes):0} ms (ffmpeg: Opus, then decoded again for the waveform)");
            foreach (var oneWay in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(20) })
            {
                var times = await MeasureAsync(root, recording, oneWay, runs);
                var label = oneWay == TimeSpan.Zero ? "loopback" : $"{oneWay.TotalMilliseconds * 2:0} ms round trip";
                Console.WriteLine($"  {label,-20} median {Median(times):0} ms   min {times.Min():0} ms   max {times.Max():0} ms");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double[]> MeasureAsync(string root, string recording, TimeSpan oneWay, int runs)
    {
        var tag = $"d{oneWay.TotalMilliseconds:0}";
        var proxies = new List<DelayProxy>();
        IPEndPoint Route(IPEndPoint target) => DelayProxy.Route(target, oneWay, proxies);
        await using var hub = HubServer.Start(new HubOptions { Home = Path.Combine(root, tag + "-hub"), Port = 0, BindAddress = IPAddress.Loopback }, NullLoggerFactory.Instance);
        var invite = new Invite(hub.DeviceId, "hub", [Route(new IPEndPoint(IPAddress.Loopback, hub.Port))]).ToString();
        await using var alice = await StartAsync(Path.Combine(root, tag + "-a"), "alice", invite);
        await using var bob = await StartAsync(Path.Combine(root, tag + "-b"), "bob", invite);
        await alice.Links.MakeContactAsync(bob.DeviceId, address: Route(new(IPAddress.Loopback, bob.PeerPort)).ToString());
        await bob.Links.MakeContactAsync(alice.DeviceId, address: Route(new(IPAddress.Loopback, alice.PeerPort)).ToString());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (alice.Links.Session(bob.DeviceId)?.IsOpen != true && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        using var player = new HttpClient { BaseAddress = bob.ApiUrl };
        player.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bob.ApiKey);
        var voice = alice.Get<VoiceMessages>();
        var times = new double[runs];
        for (var run = -1; run < runs; run++) // the first run warms up and is not counted
        {
            var watch = Stopwatch.StartNew();
            await using var input = File.OpenRead(recording);
            var sent = await voice.SendAsync(bob.DeviceId.ToString(), input, trim: null, default);
            var size = sent.Attachment!.Size;
            while (!await PlayableAsync(player, sent.Id, size))
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException("the voice message did not become playable at bob within 60 s");
                }
                await Task.Delay(5);
            }
            if (run >= 0)
            {
                times[run] = watch.Elapsed.TotalMilliseconds;
            }
        }
        foreach (var proxy in proxies)
        {
            await proxy.DisposeAsync();
        }
        return times;
    }

    private static async Task<bool> PlayableAsync(HttpClient player, Guid id, long size)
    {
        using var response = await player.GetAsync($"api/attachments/{id}/content");
        return response.IsSuccessStatusCode && (await response.Content.ReadAsByteArrayAsync()).Length == size;
    }

    private static Task<ParleyNode> StartAsync(string home, string name, string invite) => ParleyNode.StartAsync(new NodeOptions
    {
        Home = home, Name = name, PeerPort = 0, ApiPort = 0, Discovery = false, PortMapping = false,
        PeerBindAddress = IPAddress.Loopback, HubInvite = invite,
    }, NullLoggerFactory.Instance);

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
