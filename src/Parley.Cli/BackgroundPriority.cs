using System.Runtime.InteropServices;

namespace Parley.Cli;

/// <summary>
/// Runs the node below normal scheduling priority (nice 10), as Syncthing runs its daemon. In a call
/// the browser does the heavy work (encoding and decoding), and Chromium runs WebCodecs on
/// normal-priority threads; a node woken hundreds of times a second for packets kept preempting them.
/// On a busy two-core machine that doubled the encoder's time per frame (call bench, 40 ms path:
/// 14–16 ms to 6–8 ms, capture-to-display 50 ms to 38 ms). The node's own work still runs whenever
/// a core is free; on an idle machine nothing changes.
/// </summary>
internal static class BackgroundPriority
{
    private const int Nice = 10;
    private const int PriorityOfProcess = 0; // PRIO_PROCESS: on Linux, `who` may name one thread

    public static void Lower()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        // Linux keeps a nice value per thread, and a new thread starts with its creator's: lowering
        // every thread there is now lowers every thread to come.
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), out var thread))
            {
                _ = SetPriority(PriorityOfProcess, thread, Nice);
            }
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for this signature; DllImport of an int function is fine.
    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);
#pragma warning restore SYSLIB1054
}
