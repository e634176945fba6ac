namespace Parley.Bench;

/// <summary>What Linux reports about a process.</summary>
internal static class Proc
{
    /// <summary>Resident set size in KiB (VmRSS in /proc/PID/status).</summary>
    public static long RssKiB(int pid) => long.Parse(
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>CPU time a process has used so far (user plus system, from /proc/PID/stat), or zero once it is gone.</summary>
    public static TimeSpan CpuTime(int pid) => CpuTimeIn($"/proc/{pid}/stat");

    private static TimeSpan CpuTimeIn(string statFile)
    {
        try
        {
            var stat = File.ReadAllText(statFile);
            // Fields after the command name (which may hold spaces, so read past its closing parenthesis): utime is the 12th, stime the 13th.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>CPU time used by every running process whose executable is <paramref name="executable"/> (all of a browser's processes).</summary>
    public static TimeSpan CpuTimeOf(string executable) =>
        ProcessesOf(executable).Aggregate(TimeSpan.Zero, (total, pid) => total + CpuTime(pid));

    /// <summary>
    /// CPU time so far of each kind of thread in those processes, keyed "process type/thread name"
    /// (Chromium's --type, "browser" without one; a renderer's main thread is named after the program);
    /// with <paramref name="oursOnly"/>, of the processes this process started only.
    /// </summary>
    public static Dictionary<string, TimeSpan> ThreadCpuTimeOf(string executable, bool oursOnly = false)
    {
        var byKind = new Dictionary<string, TimeSpan>();
        foreach (var pid in ProcessesOf(executable).Where(pid => !oursOnly || IsOurs(pid)))
        {
            try
            {
                var type = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', ' ').FirstOrDefault(a => a.StartsWith("--type=", StringComparison.Ordinal))?[7..] ?? "browser";
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    var key = $"{type}/{File.ReadAllText(Path.Combine(task, "comm")).Trim()}";
                    byKind[key] = byKind.GetValueOrDefault(key) + CpuTimeIn(Path.Combine(task, "stat"));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }
        return byKind;
    }

    /// <summary>
    /// CPU time used by the running processes of <paramref name="executable"/> that this process started (directly or
    /// not): this bench's browsers, not the ones other work on a shared machine runs.
    /// </summary>
    public static TimeSpan CpuTimeOfOurs(string executable) =>
        ProcessesOf(executable).Where(pid => IsOurs(pid)).Aggregate(TimeSpan.Zero, (total, pid) => total + CpuTime(pid));

    private static bool IsOurs(int pid)
    {
        for (var depth = 0; depth < 32 && pid > 1; depth++)
        {
            if (pid == Environment.ProcessId)
            {
                return true;
            }
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                pid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
        return false;
    }

    private static List<int> ProcessesOf(string executable)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(dir), out var pid) && new FileInfo(Path.Combine(dir, "exe")).LinkTarget == executable)
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }
        return found;
    }
}
