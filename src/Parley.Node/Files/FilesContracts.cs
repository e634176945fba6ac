namespace Parley.Node.Files;

/// <summary>Which way a transfer goes, seen from this node.</summary>
public enum TransferDirection
{
    Outgoing,
    Incoming,
}

/// <summary>A transfer as the API lists it and the <c>offer</c> and <c>transfer</c> events carry it (progress bars, rate, ETA).</summary>
/// <param name="Id">The whole ID, 32 hex digits.</param>
/// <param name="ShortId">Its last 8 hex digits (the random part), as listings show it (any 4 or more of it, or of the whole ID, pick a transfer).</param>
/// <param name="Title">Its one file, or the one folder all its files are in ("photos/"), else null.</param>
/// <param name="FileCount">Files, not counting the folder entries that carry folders' times (and empty folders).</param>
/// <param name="EtaSeconds">Null while nothing moves.</param>
/// <param name="CurrentFile">The file moving now; null when none is (or the transfer ended).</param>
public sealed record TransferInfo(
    string Id,
    string ShortId,
    string Peer,
    string PeerName,
    TransferDirection Direction,
    TransferState State,
    string? Error,
    string? Folder,
    string? Title,
    int FileCount,
    int FilesDone,
    long TotalBytes,
    long BytesDone,
    double BytesPerSecond,
    double? EtaSeconds,
    CurrentFileInfo? CurrentFile,
    DateTimeOffset CreatedAt)
{
    /// <summary>Every file named or counted: "photo.png", "photo.png and 2 more".</summary>
    public string? Names { get; init; }

    /// <summary>
    /// Receiver only, since this node started: bytes it already held (verified, not yet landed) that a resume had sent
    /// again. At most one bundle after a kill -9 of either side (see docs/architecture.md, How a file travels).
    /// </summary>
    public long ResentBytes { get; init; }

    /// <summary>Receiver only: how many files <see cref="ResentBytes"/> was spread over.</summary>
    public int ResentFiles { get; init; }
}

/// <param name="Index">From 0, in offer order.</param>
public sealed record CurrentFileInfo(int Index, string Path, long Size, long BytesDone);

/// <summary>One file of a transfer. <paramref name="FinalPath"/> is where a received file landed.</summary>
public sealed record TransferFileInfo(string Path, long Size, bool Done, string? FinalPath);

/// <summary>A transfer with (the first of) its files: <c>GET /api/transfers/{id}</c> and each item of <c>GET /api/offers</c>.</summary>
public sealed record TransferDetail(TransferInfo Transfer, IReadOnlyList<TransferFileInfo> Files);

/// <summary>What <c>POST /api/transfers</c> offered, and the symbolic links it skipped.</summary>
public sealed record SendResult(TransferInfo Transfer, IReadOnlyList<string> Skipped);

/// <summary><c>POST /api/peers/{peer}/auto-accept</c>'s answer.</summary>
public sealed record AutoAcceptInfo(string DeviceId, bool AutoAccept);

/// <summary><c>POST /api/transfers</c>: offer these paths to this peer.</summary>
public sealed record SendRequest(string? To, string[]? Paths);

/// <summary><c>POST /api/offers/{id}/accept</c>: into this folder, else the download folder.</summary>
public sealed record AcceptOfferRequest(string? Folder);

/// <summary><c>POST /api/peers/{peer}/auto-accept</c>.</summary>
public sealed record AutoAcceptRequest(bool Enabled);

/// <summary><c>POST /api/uploads</c>: the new upload's ID.</summary>
public sealed record UploadCreated(string Id);

/// <summary><c>PUT /api/uploads/{id}?path=</c>: one file staged.</summary>
public sealed record UploadedFile(string Path, long Size);

/// <summary><c>POST /api/uploads/{id}/send</c>: send what the upload holds to this contact.</summary>
public sealed record UploadSendRequest(string? To);

/// <summary><c>POST /api/uploads/{id}/send</c>'s answer.</summary>
public sealed record UploadSent(TransferInfo Transfer);
