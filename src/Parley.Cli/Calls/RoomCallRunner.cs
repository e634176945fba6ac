using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text.Json;
using Parley.Core.Calls;
using Parley.Core.Protocol;
using Parley.Node.Events;
using Parley.Node.RoomCalls;

namespace Parley.Cli.Calls;

/// <summary>
/// A room call from the terminal, on the node's media channel for the room
/// (<c>/api/rooms/{room}/call/media</c>): ffmpeg's frames go out as a page's would
/// (<see cref="PageFrameSender"/>); the others' come back as <c>participant u16 | level u8 | page frame</c>
/// and can be recorded one file each (<see cref="RoomCallRecordings"/>); who joins and leaves is printed
/// as the node's <c>participants</c> notices say it. Ends when the node says the call ended for us
/// (<c>parley room hangup</c>, the hub), after <c>--seconds</c>, or on Ctrl+C (which leave through the API).
/// </summary>
internal sealed class RoomCallRunner(ApiClient api, string room, TextWriter output)
{
    private readonly Dictionary<ushort, string> _names = [];
    private RoomCallRecordings? _recordings;
    private bool _heardWho;
    private int _receivedAudioFrames;
    private int _receivedVideoFrames;

    public sealed record Options(FfmpegMedia.Source Source, string? RecordFolder, double? Seconds);

    private string CallPath => $"api/rooms/{ApiClient.Segment(room)}/call";

    /// <summary>Runs until the call ends for us; returns why.</summary>
    public async Task<string> RunAsync(Options options, CancellationToken cancellationToken)
    {
        using var socket = await api.OpenSocketAsync(CallPath + "/media", cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Seconds is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }
        _recordings = options.RecordFolder is { } folder ? new RoomCallRecordings(folder, output) : null;
        var sender = new PageFrameSender(socket);
        try
        {
            sender.Start(options.Source, stop.Token);
            // Stopping leaves through the API, so the node tells the hub at once and its "ended" notice ends the
            // receive loop with everything received; if the node does not answer within 5 s, the channel is dropped.
            using var abort = new CancellationTokenSource();
            using var leave = stop.Token.Register(() =>
            {
                abort.CancelAfter(TimeSpan.FromSeconds(5));
                _ = LeaveQuietlyAsync();
            });
            return await ReceiveAsync(socket, abort.Token).ConfigureAwait(false) ?? "left the call";
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await sender.DisposeAsync().ConfigureAwait(false);
            output.WriteLine($"sent {sender.VideoFrames} video and {sender.AudioFrames} audio frames; received {_receivedAudioFrames} audio frames and {_receivedVideoFrames} video frames");
            if (_recordings is not null)
            {
                await _recordings.FinishAllAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task LeaveQuietlyAsync()
    {
        try
        {
            await api.PostAsync<RoomCallInfo>(CallPath + "/leave").ConfigureAwait(false);
        }
        catch (Exception e) when (e is CliException or HttpRequestException)
        {
            // The node is gone: the channel's drop ends the loop.
        }
    }

    /// <summary>Frames and notices from the node until the call ends (the reason) or the caller stops (null).</summary>
    private async Task<string?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[3 + PageFrame.MaxSize];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    length += received.Count;
                }
                while (!received.EndOfMessage && length < buffer.Length);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return "the call ended";
                }
                if (received.MessageType == WebSocketMessageType.Text)
                {
                    if (await OnNoticeAsync(buffer.AsMemory(0, length)).ConfigureAwait(false) is { } reason)
                    {
                        return reason;
                    }
                }
                else if (length >= 3 && WireMessage.TryRead<PageFrame>(buffer.AsMemory(3, length - 3), out var frame, out _))
                {
                    OnFrame(BinaryPrimitives.ReadUInt16BigEndian(buffer), frame);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            return null;
        }
    }

    private void OnFrame(ushort participant, PageFrame frame)
    {
        var name = _names.GetValueOrDefault(participant) ?? $"participant {participant}";
        if (frame.Stream == StreamKind.Audio)
        {
            _receivedAudioFrames++;
            _recordings?.Audio(participant, name, frame.Timestamp, frame.Data.Span);
        }
        else
        {
            _receivedVideoFrames++;
            _recordings?.Video(participant, name, frame.Timestamp, frame.Data.Span);
        }
    }

    /// <summary>Prints who joined and left; the reason when the call ended for us, else null.</summary>
    private async Task<string?> OnNoticeAsync(ReadOnlyMemory<byte> json)
    {
        RoomCallNodeNotice? notice;
        try
        {
            notice = JsonSerializer.Deserialize<RoomCallNodeNotice>(json.Span, EventHub.Json);
        }
        catch (JsonException)
        {
            return null;
        }
        if (notice is { Type: "ended" })
        {
            return notice.Reason ?? "the call ended";
        }
        if (notice is not { Type: "participants", Call: { } call })
        {
            return null;
        }
        if (_recordings is not null)
        {
            _recordings.Own = call.Participant;
        }
        var now = call.Others.Where(p => p.Participant != call.Participant).ToDictionary(p => p.Participant, p => p.Name);
        if (!_heardWho)
        {
            _heardWho = true;
            output.WriteLine(now.Count == 0 ? $"in {call.Room}'s call, nobody else yet" : $"in {call.Room}'s call with {string.Join(", ", now.Values.Select(n => TerminalText.Safe(n)))}");
        }
        else
        {
            foreach (var (participant, name) in now.Where(p => !_names.ContainsKey(p.Key)))
            {
                output.WriteLine($"{TerminalText.Safe(name)} joined");
            }
        }
        foreach (var (participant, name) in _names.Where(p => !now.ContainsKey(p.Key)).ToList())
        {
            output.WriteLine($"{TerminalText.Safe(name)} left");
            if (_recordings is not null)
            {
                await _recordings.FinishAsync(participant).ConfigureAwait(false);
            }
        }
        _names.Clear();
        foreach (var (participant, name) in now)
        {
            _names[participant] = name;
        }
        return null;
    }
}
