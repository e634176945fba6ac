using Microsoft.Extensions.Logging;
using Parley.Core.Discovery;
using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Discovery;

/// <summary>
/// LAN discovery as the node runs it: on unless turned off (the choice is remembered), announcing
/// this node's name and peer port, and dialing a contact as soon as it is heard.
/// </summary>
public sealed class DiscoveryService(
    NodeOptions options, NodeIdentity identity, NodeProfile profile, NodeStore store, NearbyList nearby, ContactBook contacts, LinkManager links,
    ILoggerFactory loggerFactory) : INodeService
{
    private const string Setting = "discovery";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private LanDiscovery? _running;
    private bool _stopped;

    public bool Enabled => _running is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Discovery && await store.GetSettingAsync(Setting).ConfigureAwait(false) != "off")
        {
            await SetAsync(true, remember: false).ConfigureAwait(false);
        }
    }

    /// <summary>Turns LAN discovery on or off now, and remembers the choice for the next start.</summary>
    public Task SetEnabledAsync(bool enabled) => SetAsync(enabled, remember: true);

    private async Task SetAsync(bool enabled, bool remember)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (remember)
            {
                await store.SetSettingAsync(Setting, enabled ? "on" : "off").ConfigureAwait(false);
            }
            if (enabled && _running is null)
            {
                _running = new LanDiscovery(() => new Announcement(identity.DeviceId, (ushort)links.ListenPort, profile.Name), options.DiscoveryPort,
                    options.AnnounceInterval, nearby, OnSighted, options.TimeProvider, loggerFactory);
                _running.Start();
            }
            else if (!enabled && _running is { } running)
            {
                _running = null;
                await running.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A contact heard on the LAN: remember where it is and dial it now if not linked. A relayed link
    /// to it learns the address too: the link's upgrade tries it at once (<see cref="PathUpgrader"/>).
    /// </summary>
    private void OnSighted(NearbyPeer peer)
    {
        if (contacts.Find(peer.DeviceId) is { State: PeerState.Contact } contact && links.Session(peer.DeviceId) is not { Link.Relayed: false })
        {
            var address = peer.Endpoint.ToString();
            if (contact.Address?.StartsWith(address, StringComparison.Ordinal) != true)
            {
                _ = contacts.UpdateAsync(peer.DeviceId, r => r with { Address = LinkManager.MergeAddress(address, r.Address) });
            }
            links.DialSoon(peer.DeviceId);
        }
    }

    public async Task StopAsync()
    {
        await SetAsync(false, remember: false).ConfigureAwait(false);
        _stopped = true;
    }
}
