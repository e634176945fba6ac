using System.ComponentModel;
using System.Diagnostics;

namespace Parley.Node.Files;

/// <summary>A received file could not be shown on the desktop; the message says why.</summary>
internal sealed class OpenRefusedException(string message, int status) : RequestRefusedException(message, status);

/// <summary>
/// Open and Show folder for what a transfer received: the node (on the person's own computer, as the
/// page is) hands the landed path to the desktop's opener: <c>xdg-open</c>, <c>open</c> on macOS,
/// <c>explorer</c> on Windows, or the command in <c>PARLEY_OPENER</c>. Only the paths the node itself
/// wrote for a completed incoming transfer are ever opened, and they go as one argument, never through a shell.
/// A file that could run when opened (executable bit, or a type desktops launch: .desktop, .command, .exe …)
/// is never opened: its folder is shown instead, so a peer's file cannot run by a click on Open.
/// </summary>
internal static class DesktopOpener
{
    private static readonly HashSet<string> Launchable = new(StringComparer.OrdinalIgnoreCase)
    {
        ".desktop", ".command", ".tool", ".app", ".exe", ".com", ".bat", ".cmd", ".lnk", ".url", ".scr", ".pif", ".msi", ".msp", ".ps1",
        ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".cpl", ".jar", ".sh", ".bash", ".run", ".appimage", ".py", ".pl", ".rb",
        ".workflow", ".terminal", ".webloc", ".inetloc", ".scpt", ".reg", ".apk", ".deb", ".rpm", ".pkg", ".dmg",
    };

    public static void OpenFile(Transfer transfer) =>
        Launch(transfer.Files.Count == 1 && Landed(transfer).Single() is { } file && !CouldRun(file, transfer.Files[0]) ? file : FolderOf(transfer));

    private static bool CouldRun(string path, TransferFile file) =>
        file.Flags.HasFlag(Core.Files.OfferFlags.Executable) || Launchable.Contains(Path.GetExtension(path))
        || (!OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    public static void ShowFolder(Transfer transfer) => Launch(FolderOf(transfer));

    private static IEnumerable<string> Landed(Transfer transfer)
    {
        if (transfer.Outgoing || transfer.State != TransferState.Completed)
        {
            throw new OpenRefusedException("only a completed transfer you received can be opened", 409);
        }
        return transfer.Files.Select(f => f.FinalPath ?? throw new OpenRefusedException("the file's place is not known", 409));
    }

    /// <summary>The folder the first file landed in: for a folder transfer, its top.</summary>
    private static string FolderOf(Transfer transfer) =>
        Path.GetDirectoryName(Landed(transfer).First()) ?? throw new OpenRefusedException("the file's folder is not known", 409);

    private static void Launch(string path)
    {
        if (!Path.Exists(path))
        {
            throw new OpenRefusedException("it is no longer there (moved or deleted)", 404);
        }
        var command = Environment.GetEnvironmentVariable("PARLEY_OPENER") is { Length: > 0 } configured ? configured
            : OperatingSystem.IsMacOS() ? "open" : OperatingSystem.IsWindows() ? "explorer" : "xdg-open";
        var info = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(path);
        try
        {
            using var process = Process.Start(info) ?? throw new OpenRefusedException($"{command} did not start", 503);
        }
        catch (Win32Exception e)
        {
            throw new OpenRefusedException($"this computer has no {command} to open it with ({e.Message})", 503);
        }
    }
}
