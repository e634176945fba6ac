using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Hub;

/// <summary>
/// Dials the hub at each address of its invite with its device ID pinned (TLS refuses anyone else,
/// whatever answers at that address) and checks that it says it is a hub.
/// </summary>
internal sealed class HubDialer
{
    private readonly NodeIdentity _identity;
    private readonly LinkManager _links;
    private readonly NodeProfile _profile;
    private readonly LinkEstablisher _establisher;
    private readonly ILogger _logger;
    private int _failures;
    private volatile string? _lastFailure;

    public HubDialer(NodeIdentity identity, NodeOptions options, LinkManager links, NodeProfile profile, ILoggerFactory loggerFactory)
    {
        _identity = identity;
        _links = links;
        _profile = profile;
        _logger = loggerFactory.CreateLogger("Parley.HubClient");
        _establisher = new LinkEstablisher(identity, options.Link with { Frames = HubFrameRouter.Frames }, loggerFactory);
    }

    /// <summary>Dial attempts that failed since start (each address counts), so a refused hub can be seen to have been tried.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Why the latest attempt failed, if one did.</summary>
    public string? LastFailure => _lastFailure;

    /// <summary>A link to the hub (handshake done, not yet started), or null when no address worked or we were cancelled.</summary>
    public async Task<PeerLink?> TryConnectAsync(Invite hub, CancellationToken cancellationToken)
    {
        foreach (var address in hub.Addresses)
        {
            try
            {
                var link = await _establisher.ConnectAsync(address, hub.DeviceId,
                    _ => new Hello(Hello.CurrentVersion, _identity.DeviceId, 0, (ushort)_links.ListenPort, HelloFlags.None, _profile.Name), cancellationToken).ConfigureAwait(false);
                if ((link.RemoteHello.Capabilities & HelloCapabilities.Hub) != 0)
                {
                    return link;
                }
                await link.CloseAsync(CloseCode.Rejected, "expected a hub").ConfigureAwait(false);
                Failed(hub, address.ToString(), "it is not a hub");
            }
            catch (LinkFailedException e)
            {
                Failed(hub, address.ToString(), e.Message);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return null;
    }

    private void Failed(Invite hub, string address, string reason)
    {
        _lastFailure = reason;
        Interlocked.Increment(ref _failures);
        HubLog.DialFailed(_logger, hub.DeviceId.Short, address, reason);
    }
}
