using System.Buffers.Binary;
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
/// as the node's <c>participants</c> notices say it. Ends as <see cref="MediaChannelRunner"/> says; stopping leaves the call.
/// </summary>
internal sealed class RoomCallRunner(ApiClient api, string room, TextWriter output) : MediaChannelRunner(api, output)
{
    private readonly Dictionary<ushort, string> _names = [];
    private RoomCallRecordings? _recordings;
    private bool _heardWho;

    public sealed record Options(FfmpegMedia.Source Source, string? RecordFolder, double? Seconds);

    private string CallPath => $"api/rooms/{ApiClient.Segment(room)}/call";

    protected override string MediaPath => CallPath + "/media";

    protected override string StoppedReason => "left the call";

    /// <summary>Runs until the call ends for us; returns why.</summary>
    public Task<string> RunAsync(Options options, CancellationToken cancellationToken)
    {
        _recordings = options.RecordFolder is { } folder ? new RoomCallRecordings(folder, Output) : null;
        return RunChannelAsync(options.Source, options.Seconds, cancellationToken);
    }

    protected override Task StopCallAsync() => Api.PostAsync<RoomCallInfo>(CallPath + "/leave");

    protected override async Task FinishAsync()
    {
        if (_recordings is not null)
        {
            await _recordings.FinishAllAsync().ConfigureAwait(false);
        }
    }

    protected override void OnFrame(ReadOnlyMemory<byte> message)
    {
        if (message.Length < 3 || !WireMessage.TryRead<PageFrame>(message[3..], out var frame, out _))
        {
            return;
        }
        var participant = BinaryPrimitives.ReadUInt16BigEndian(message.Span);
        var name = _names.GetValueOrDefault(participant) ?? $"participant {participant}";
        Received(frame.Stream);
        if (frame.Stream == StreamKind.Audio)
        {
            _recordings?.Audio(participant, name, frame.Timestamp, frame.Data.Span);
        }
        else
        {
            _recordings?.Video(participant, name, frame.Timestamp, frame.Data.Span);
        }
    }

    /// <summary>Prints who joined and left; the reason when the call ended for us, else null.</summary>
    protected override async ValueTask<string?> OnNoticeAsync(ReadOnlyMemory<byte> json)
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
            Output.WriteLine(now.Count == 0 ? $"in {call.Room}'s call, nobody else yet" : $"in {call.Room}'s call with {string.Join(", ", now.Values.Select(n => TerminalText.Safe(n)))}");
        }
        else
        {
            foreach (var (participant, name) in now.Where(p => !_names.ContainsKey(p.Key)))
            {
                Output.WriteLine($"{TerminalText.Safe(name)} joined");
            }
        }
        foreach (var (participant, name) in _names.Where(p => !now.ContainsKey(p.Key)).ToList())
        {
            Output.WriteLine($"{TerminalText.Safe(name)} left");
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
