using Microsoft.Extensions.Logging;

namespace Parley.Node.Files;

/// <summary>What the Files feature logs, with fixed event IDs (500–599).</summary>
internal static partial class FileLog
{
    public const string Category = "Parley.Files";

    [LoggerMessage(500, LogLevel.Information, "transfer {Transfer} {State} {Error}")]
    public static partial void Finished(ILogger logger, string transfer, TransferState state, string error);

    [LoggerMessage(501, LogLevel.Information, "offer {Transfer} from {Peer}: {Files} files, {Bytes} bytes")]
    public static partial void Offered(ILogger logger, string transfer, string peer, int files, long bytes);

    [LoggerMessage(502, LogLevel.Warning, "transfer {Transfer} paused: {Reason}")]
    public static partial void Paused(ILogger logger, string transfer, string reason);

    [LoggerMessage(503, LogLevel.Information, "transfer {Transfer} resumes at file {File}, byte {Offset}")]
    public static partial void Resuming(ILogger logger, string transfer, int file, long offset);

    [LoggerMessage(504, LogLevel.Warning, "file work from {Peer} failed handling {Type}")]
    public static partial void PipelineFailed(ILogger logger, string peer, Parley.Core.Protocol.FrameType type, Exception error);
}
