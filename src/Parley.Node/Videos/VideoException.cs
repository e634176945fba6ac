using Parley.Core.Videos;

namespace Parley.Node.Videos;

/// <summary>A video request that cannot be carried out; <see cref="RequestRefusedException.Status"/> is the HTTP status that fits.</summary>
public sealed class VideoException(string message, int status = 400) : RequestRefusedException(message, status);

/// <summary>The owner refused a request (a VideoError arrived): fails the request's wait.</summary>
internal sealed class VideoRefusedException(VideoError error) : Exception(error.Reason)
{
    public VideoError Error { get; } = error;
}
