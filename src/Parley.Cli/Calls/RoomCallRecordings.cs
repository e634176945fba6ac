using System.Text;

namespace Parley.Cli.Calls;

/// <summary>
/// <c>--record-dir</c>: one recording (<see cref="CallRecorder"/>, WebM) per other participant, named
/// after them in a file name that is safe whatever they call themselves, written when they leave or
/// the call ends. Our own frames never come back from the hub; any that did are left out all the same.
/// </summary>
internal sealed class RoomCallRecordings(string folder, TextWriter output)
{
    /// <summary>Longest name part of a file name, in characters. 64.</summary>
    private const int MaxNameLength = 64;

    private readonly Dictionary<ushort, CallRecorder> _recorders = [];
    private readonly HashSet<string> _taken = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Our own participant ID, once the node has said it.</summary>
    public ushort? Own { get; set; }

    public void Video(ushort participant, string name, uint timestamp, ReadOnlySpan<byte> frame) => For(participant, name)?.Video(timestamp, frame);

    public void Audio(ushort participant, string name, uint timestamp, ReadOnlySpan<byte> packet) => For(participant, name)?.Audio(timestamp, packet);

    /// <summary>The participant left: their recording is written now.</summary>
    public async Task FinishAsync(ushort participant)
    {
        if (_recorders.Remove(participant, out var recorder))
        {
            await recorder.FinishAsync().ConfigureAwait(false);
        }
    }

    public async Task FinishAllAsync()
    {
        foreach (var participant in _recorders.Keys.ToList())
        {
            await FinishAsync(participant).ConfigureAwait(false);
        }
    }

    private CallRecorder? For(ushort participant, string name)
    {
        if (participant == Own)
        {
            return null;
        }
        if (!_recorders.TryGetValue(participant, out var recorder))
        {
            Directory.CreateDirectory(folder);
            var file = SafeFileName(name);
            var unique = file;
            for (var n = 2; !_taken.Add(unique) || File.Exists(Path.Combine(folder, unique + ".webm")); n++)
            {
                unique = $"{file}-{n}";
            }
            recorder = new CallRecorder(Path.Combine(folder, unique + ".webm"), output);
            _recorders[participant] = recorder;
        }
        return recorder;
    }

    /// <summary>
    /// A participant's name as a file name: letters, digits, '-', '_' and '.' kept, anything else (a
    /// path separator, a control character, a space) becomes '_'; no leading dot; never empty.
    /// </summary>
    public static string SafeFileName(string name)
    {
        var safe = new StringBuilder(Math.Min(name.Length, MaxNameLength));
        foreach (var c in name)
        {
            if (safe.Length == MaxNameLength)
            {
                break;
            }
            safe.Append(char.IsLetterOrDigit(c) || c is '-' or '_' || (c == '.' && safe.Length > 0) ? c : '_');
        }
        var text = safe.ToString().TrimEnd('.');
        return text.Trim('_').Length == 0 ? "participant" : text;
    }
}
