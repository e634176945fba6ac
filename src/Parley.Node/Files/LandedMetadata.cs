namespace Parley.Node.Files;

/// <summary>
/// What a landed file keeps from the sender's copy, as tar and rsync -a do: its modification time, and
/// the executable bit (for whoever may read it here). Ownership and other bits are the receiver's.
/// A failure here leaves the data landed and is not worth failing a transfer for.
/// </summary>
internal static class LandedMetadata
{
    public static void Restore(TransferFile file)
    {
        if (file.FinalPath is not { } path)
        {
            return;
        }
        try
        {
            if (file.Flags.HasFlag(Core.Files.OfferFlags.Executable) && !OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(path);
                // Execute wherever read is allowed: a script the sender could run, the receiver's readers can.
                mode |= (mode & UnixFileMode.UserRead) != 0 ? UnixFileMode.UserExecute : 0;
                mode |= (mode & UnixFileMode.GroupRead) != 0 ? UnixFileMode.GroupExecute : 0;
                mode |= (mode & UnixFileMode.OtherRead) != 0 ? UnixFileMode.OtherExecute : 0;
                File.SetUnixFileMode(path, mode);
            }
            if (file.Modified > 0)
            {
                var when = DateTimeOffset.FromUnixTimeMilliseconds(file.Modified).UtcDateTime;
                if (file.IsFolder)
                {
                    Directory.SetLastWriteTimeUtc(path, when);
                }
                else
                {
                    File.SetLastWriteTimeUtc(path, when);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            // The data is landed and verified; a time or mode the file system refuses is not a reason to fail.
        }
    }
}
