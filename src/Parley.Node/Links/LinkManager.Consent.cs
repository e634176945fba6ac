using Parley.Core.Links;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Storage;

namespace Parley.Node.Links;

public sealed partial class LinkManager
{
    /// <summary>Makes <paramref name="id"/> a contact (add or accept), tells it if linked, else dials it.</summary>
    public async Task<PeerRecord> MakeContactAsync(DeviceId id, string? name = null, string? address = null)
    {
        var record = await _contacts.UpdateAsync(id, r => r with
        {
            State = PeerState.Contact,
            RemoteName = string.IsNullOrEmpty(r.RemoteName) && name is not null ? name : r.RemoteName,
            Address = MergeAddress(address, r.Address),
        }).ConfigureAwait(false);
        if (Session(id) is { } session)
        {
            SetLocalAccepts(session, true);
            session.Link.TrySend(FrameType.Consent, new ConsentMessage(true).ToArray());
            await OpenIfReadyAsync(session).ConfigureAwait(false);
        }
        else
        {
            ResetBackoff(id);
        }
        return record;
    }

    /// <summary>Denies or blocks <paramref name="id"/> and closes any link to it.</summary>
    public async Task<PeerRecord> RefuseAsync(DeviceId id, PeerState state)
    {
        var record = await _contacts.UpdateAsync(id, r => r with { State = state }).ConfigureAwait(false);
        if (Session(id) is { } session)
        {
            await session.Link.CloseAsync(CloseCode.Rejected, "not accepted").ConfigureAwait(false);
        }
        return record;
    }

    private async Task OnConsentAsync(PeerSession session, Core.Protocol.Frame frame)
    {
        session.RemoteAccepts = frame.Read<ConsentMessage>().Accepts;
        _events.Publish(PeerEvents.Consent, new PeerConsentEvent(session.Id.ToString(), session.Link.RemoteHello.Name, session.RemoteAccepts));
        await OpenIfReadyAsync(session).ConfigureAwait(false);
    }

    private async Task OpenIfReadyAsync(PeerSession session)
    {
        if (session.TryMarkOpened())
        {
            await _router.SessionOpenedAsync(session).ConfigureAwait(false);
        }
    }
}
