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
/// </summary>
internal static class DesktopOpener
{
    public static void OpenFile(Transfer transfer) =>
        Launch(transfer.Files.Count == 1 ? Landed(transfer).Single() : FolderOf(transfer));

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
