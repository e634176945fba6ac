namespace Parley.Node.Api;

/// <summary>Every refusal the API gives: <c>{"error": "…"}</c>.</summary>
public sealed record ApiError(string Error);

/// <summary><c>GET /api/status</c>.</summary>
public sealed record NodeStatus(string DeviceId, string Name, int PeerPort, string ApiUrl, bool Discovery, string Home, int ProtocolVersion);

public sealed record InviteView(string Invite);

public sealed record NameView(string Name);

public sealed record LoginLinkView(string Url, int ExpiresInSeconds);

/// <summary><c>GET /api/session</c>: the token unsafe requests echo, and the command that gets a new login link for this node (shown when the session ends).</summary>
public sealed record WebSessionView(string CsrfToken, string CsrfHeader, string OpenCommand);

/// <summary><c>GET/POST /api/settings</c>: where offers are saved by default, LAN discovery, and the contacts whose offers are accepted without asking.</summary>
public sealed record SettingsView(string DownloadFolder, bool Discovery, IReadOnlyList<string> AutoAccept);

public sealed record SettingsRequest(string? DownloadFolder, bool? Discovery);
