using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.RoomCalls;

namespace Parley.Bench.RoomCalls;

/// <summary>One synthetic participant: where it sends from, and how it makes a hop packet (the hub's real one, or an unchecked copy for the bare forwarder).</summary>
internal sealed record LoadParticipant(Socket Udp, Func<byte, ushort, byte[], byte[]> Packet);

/// <summary>
/// Replays a room call's traffic through a forwarder: every participant sends video packets of VP8 size
/// (1,100 bytes) 30 times a second and Opus-sized audio (100 bytes) 50 times a second, each stamped with
/// the send time, and reads what reaches it, recording the one-way latency (same clock: one process).
/// </summary>
internal sealed class ForwardLoad(IReadOnlyList<LoadParticipant> participants, IPEndPoint forwarder)
{
    public const int VideoBytes = 1100;
    public const int AudioBytes = 100;

    private readonly List<double>[] _latencies = [.. participants.Select(_ => new List<double>())];
    private long _sent;
    private long _received;
    private volatile bool _measuring;

    public long Sent => Interlocked.Read(ref _sent);

    public long Received => Interlocked.Read(ref _received);

    public double[] Latencies() => [.. _latencies.SelectMany(l => l)];

    /// <summary>Sends for <paramref name="warmUp"/> unmeasured, then <paramref name="measure"/> measured; <paramref name="window"/> runs at the start and end of the measured part (to read CPU).</summary>
    public async Task RunAsync(TimeSpan warmUp, TimeSpan measure, Action<bool> window)
    {
        using var stop = new CancellationTokenSource();
        var receivers = participants.Select((p, i) => Task.Run(() => ReceiveAsync(p.Udp, _latencies[i], stop.Token))).ToList();
        var sending = Task.Run(() => SendAsync(stop.Token));
        await Task.Delay(warmUp);
        (_sent, _received) = (0, 0);
        _measuring = true;
        window(true);
        await Task.Delay(measure);
        window(false);
        _measuring = false;
        await stop.CancelAsync();
        await sending;
        foreach (var participant in participants)
        {
            participant.Udp.Close(); // ends its receive loop
        }
        await Task.WhenAll(receivers);
    }

    private async Task SendAsync(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var video = new ushort[participants.Count];
        var audio = new ushort[participants.Count];
        var nextVideo = participants.Select((_, i) => i * 33.3 / participants.Count).ToArray();
        var nextAudio = participants.Select((_, i) => i * 20.0 / participants.Count).ToArray();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        while (!stop.IsCancellationRequested && await tick.WaitForNextTickAsync(CancellationToken.None))
        {
            var now = clock.Elapsed.TotalMilliseconds;
            for (var i = 0; i < participants.Count; i++)
            {
                if (now >= nextVideo[i])
                {
                    Send(participants[i], RoomCallHop.VideoStream, video[i]++, VideoBytes);
                    nextVideo[i] += 1000.0 / 30;
                }
                if (now >= nextAudio[i])
                {
                    Send(participants[i], RoomCallHop.AudioStream, audio[i]++, AudioBytes);
                    nextAudio[i] += 1000.0 / 50;
                }
            }
        }
    }

    private void Send(LoadParticipant participant, byte stream, ushort sequence, int size)
    {
        var body = new byte[size];
        BinaryPrimitives.WriteInt64LittleEndian(body, Stopwatch.GetTimestamp());
        participant.Udp.SendTo(participant.Packet(stream, sequence, body), forwarder);
        Interlocked.Increment(ref _sent);
    }

    private async Task ReceiveAsync(Socket socket, List<double> latencies, CancellationToken stop)
    {
        var buffer = new byte[2048];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0));
                var arrived = Stopwatch.GetTimestamp();
                if (_measuring && received.ReceivedBytes >= RoomCallHop.HeaderSize + 8 + RoomCallHop.TagSize && buffer[0] == (byte)RoomCallHopKind.Media)
                {
                    var sent = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(RoomCallHop.HeaderSize));
                    latencies.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
                    Interlocked.Increment(ref _received);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}
