using System.Text.Json;
using Parley.Node.Contacts;

namespace Parley.Cli.Verbs;

/// <summary>One device in a printed list: its name and ID on one line, what to know about it on the next.</summary>
internal sealed record PeerLine(string Name, string DeviceId, string Detail);

/// <summary>How the peer verbs print devices. Names come from peers, so they go through <see cref="TerminalText"/>.</summary>
internal static class PeerText
{
    /// <summary>The first two groups of a device ID ("ABCD-EFGH"): enough to tell contacts apart, and accepted as a peer argument.</summary>
    public static string ShortId(string deviceId) => deviceId[..9];

    public static string Describe(PeerView peer) => $"{TerminalText.Safe(peer.Name)} ({ShortId(peer.DeviceId)})";

    /// <summary>An enum value as the API's JSON writes it ("contact", "request").</summary>
    public static string Json<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static void WriteList(CliContext context, IReadOnlyCollection<PeerLine> lines)
    {
        if (lines.Count == 0)
        {
            context.Out.WriteLine("  (none)");
        }
        foreach (var line in lines)
        {
            context.Out.WriteLine($"  {TerminalText.Safe(line.Name),-20} {line.DeviceId}");
            context.Out.WriteLine($"  {"",-20} {TerminalText.Safe(line.Detail)}");
        }
    }
}
