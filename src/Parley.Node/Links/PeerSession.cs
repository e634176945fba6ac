using Parley.Core.Identity;
using Parley.Core.Links;

namespace Parley.Node.Links;

/// <summary>
/// The live link to one peer and what each side has consented to. Chat flows only when
/// <see cref="IsOpen"/>: both sides hold each other as contacts.
/// </summary>
public sealed class PeerSession(IPeerLink link, bool localAccepts, bool remoteAccepts)
{
    private volatile bool _localAccepts = localAccepts;
    private volatile bool _remoteAccepts = remoteAccepts;

    public IPeerLink Link { get; } = link;

    public DeviceId Id => Link.RemoteId;

    /// <summary>We hold the peer as a contact.</summary>
    public bool LocalAccepts { get => _localAccepts; set => _localAccepts = value; }

    /// <summary>The peer holds us as a contact (its hello said so, or it sent consent later).</summary>
    public bool RemoteAccepts { get => _remoteAccepts; set => _remoteAccepts = value; }

    public bool IsOpen => _localAccepts && _remoteAccepts && !Link.IsClosed;

    /// <summary>Completes when the node has finished handling the link's close (presence, last seen).</summary>
    public Task Finished { get; internal set; } = Task.CompletedTask;

    private int _opened;

    /// <summary>True the first time it is called on an open session: the moment to send what waited.</summary>
    public bool TryMarkOpened() => IsOpen && Interlocked.Exchange(ref _opened, 1) == 0;
}
