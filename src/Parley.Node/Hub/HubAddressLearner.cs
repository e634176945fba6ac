using Parley.Node.Contacts;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Hub;

/// <summary>
/// Contacts the hub sees online get the address it observed added to theirs, so the link manager
/// tries them directly (before the relay) next time. Strangers learn nothing: only contacts are dialed.
/// </summary>
internal sealed class HubAddressLearner(ContactBook contacts)
{
    public void Learn(HubMember member)
    {
        if (member.Online && member.Address.Length > 0 && contacts.Find(member.DeviceId) is { State: PeerState.Contact } contact
            && contact.Address?.Contains(member.Address, StringComparison.Ordinal) != true)
        {
            _ = contacts.UpdateAsync(member.DeviceId, r => r with { Address = LinkManager.MergeAddress(r.Address, member.Address) });
        }
    }
}
