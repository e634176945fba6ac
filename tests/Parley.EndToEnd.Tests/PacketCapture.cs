using System.Diagnostics;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// tcpdump on every interface of a namespace, every packet whole (<c>-s 0</c>) and written as it comes
/// (<c>-U</c>), into a pcap file; read back for bytes (a marker) and counted by protocol.
/// </summary>
internal sealed class PacketCapture : IAsyncDisposable
{
    private readonly Process _tcpdump;

    private PacketCapture(Process tcpdump, string file)
    {
        _tcpdump = tcpdump;
        File = file;
    }

    public string File { get; }

    public static async Task<PacketCapture> StartAsync(string ns, string file)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "netns", "exec", ns, "tcpdump", "-i", "any", "-n", "-U", "-s", "0", "-w", file })
        {
            info.ArgumentList.Add(arg);
        }
        var tcpdump = Process.Start(info) ?? throw new InvalidOperationException("tcpdump did not start (apt-get install tcpdump)");
        // "listening on any" once it captures; anything before is lost.
        while (await tcpdump.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) is { } line)
        {
            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                return new PacketCapture(tcpdump, file);
            }
        }
        throw new InvalidOperationException("tcpdump ended before it captured anything (is it installed? are we root?)");
    }

    /// <summary>Stops the capture (what it read so far is in the file: -U writes each packet as it comes).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_tcpdump.HasExited)
        {
            NetworkNamespaces.Run("kill", "-INT", _tcpdump.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await _tcpdump.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _tcpdump.Dispose();
    }

    /// <summary>Packets in the file that match a tcpdump filter (<c>udp</c>, <c>tcp</c>).</summary>
    public async Task<int> CountAsync(string filter)
    {
        var info = new ProcessStartInfo("tcpdump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-n", "-r", File, filter })
        {
            info.ArgumentList.Add(arg);
        }
        using var reader = Process.Start(info)!;
        var errors = reader.StandardError.ReadToEndAsync();
        var lines = 0;
        while (await reader.StandardOutput.ReadLineAsync() is not null)
        {
            lines++;
        }
        await reader.WaitForExitAsync();
        await errors;
        return lines;
    }
}
