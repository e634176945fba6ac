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
            session.LocalAccepts = true;
            session.Link.TrySend(FrameType.Consent, [1]);
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
        if (frame.Length != 1 || frame.Payload.FirstSpan[0] > 1)
        {
            throw new ProtocolException("consent must carry one byte, 0 or 1");
        }
        session.RemoteAccepts = frame.Payload.FirstSpan[0] == 1;
        _events.Publish("peer.consent", new { deviceId = session.Id.ToString(), name = session.Link.RemoteHello.Name, accepted = session.RemoteAccepts });
        await OpenIfReadyAsync(session).ConfigureAwait(false);
    }

    private async Task OpenIfReadyAsync(PeerSession session)
    {
        if (session.TryMarkOpened() && SessionOpened is { } opened)
        {
            await opened(session).ConfigureAwait(false);
        }
    }
}
