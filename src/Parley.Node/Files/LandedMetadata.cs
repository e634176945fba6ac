using Microsoft.Win32.SafeHandles;
using Parley.Core.Files;

namespace Parley.Node.Files;

/// <summary>
/// What a landed file keeps from the sender's copy, as tar and rsync -a do: its modification time, and
/// the executable bit (for whoever may read it here). Ownership and other bits are the receiver's. Files
/// are stamped through their open temporary file (no path lookups; the rename keeps both), folders by path.
/// A failure here leaves the data landed and is not worth failing a transfer for.
/// </summary>
internal static class LandedMetadata
{
    public static void Stamp(SafeFileHandle file, TransferFile offered) =>
        Try(() =>
        {
            if (offered.Flags.HasFlag(OfferFlags.Executable) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, Executable(File.GetUnixFileMode(file)));
            }
            if (offered.Modified > 0)
            {
                File.SetLastWriteTimeUtc(file, Time(offered));
            }
        });

    public static void StampFolder(string folder, TransferFile offered) =>
        Try(() =>
        {
            if (offered.Modified > 0)
            {
                Directory.SetLastWriteTimeUtc(folder, Time(offered));
            }
        });

    /// <summary>Execute wherever read is allowed: a script the sender could run, the receiver's readers can.</summary>
    private static UnixFileMode Executable(UnixFileMode mode) => mode
        | ((mode & UnixFileMode.UserRead) != 0 ? UnixFileMode.UserExecute : 0)
        | ((mode & UnixFileMode.GroupRead) != 0 ? UnixFileMode.GroupExecute : 0)
        | ((mode & UnixFileMode.OtherRead) != 0 ? UnixFileMode.OtherExecute : 0);

    private static DateTime Time(TransferFile offered) => DateTimeOffset.FromUnixTimeMilliseconds(offered.Modified).UtcDateTime;

    private static void Try(Action stamp)
    {
        try
        {
            stamp();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            // The data is verified either way; a time or mode the file system refuses is not a reason to fail.
        }
    }
}
