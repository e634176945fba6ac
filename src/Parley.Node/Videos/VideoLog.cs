using Microsoft.Extensions.Logging;

namespace Parley.Node.Videos;

/// <summary>The video feature's log messages.</summary>
internal static partial class VideoLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading shared video {Path} failed: {Reason}")]
    public static partial void ReadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "No thumbnail for shared video {Path} (not tried again until the file changes): {Reason}")]
    public static partial void ThumbnailFailed(ILogger logger, string path, string reason);
}
