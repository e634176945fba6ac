namespace Parley.Bench;

/// <summary>What Linux reports about a process.</summary>
internal static class Proc
{
    /// <summary>Resident set size in KiB (VmRSS in /proc/PID/status).</summary>
    public static long RssKiB(int pid) => long.Parse(
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
        System.Globalization.CultureInfo.InvariantCulture);
}
