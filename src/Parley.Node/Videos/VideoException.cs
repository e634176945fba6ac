namespace Parley.Node.Videos;

/// <summary>A video request that cannot be carried out; <see cref="RequestRefusedException.Status"/> is the HTTP status that fits.</summary>
public sealed class VideoException(string message, int status = 400) : RequestRefusedException(message, status);
