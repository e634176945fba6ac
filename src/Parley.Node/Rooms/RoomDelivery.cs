using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>
/// Delivery counts: the hub sends members' read positions (receipts); one of our messages is delivered
/// to a member once that member, in the room when the message was placed, has stored up to it. When
/// receipts move, the counts of our messages they cover go out as a <c>room.delivery</c> event.
/// </summary>
internal sealed class RoomDelivery(NodeIdentity identity, NodeStore store, EventHub events)
{
    /// <summary>Our messages whose counts one batch of receipts updates, at most. 500.</summary>
    private const int MaxUpdated = 500;

    /// <summary>(delivered, recipients) of the entry at <paramref name="seq"/>, from the members and receipts we know.</summary>
    public static (int Delivered, int Recipients) Count(RoomState state, DeviceId me, ulong seq)
    {
        lock (state.Lock)
        {
            int delivered = 0, recipients = 0;
            foreach (var member in state.Members.Keys)
            {
                if (member == me)
                {
                    continue;
                }
                if (!state.Receipts.TryGetValue(member, out var receipt))
                {
                    recipients++; // no receipt yet: counted as not there yet
                    continue;
                }
                if (receipt.Joined < seq)
                {
                    recipients++;
                    delivered += receipt.Position >= seq ? 1 : 0;
                }
            }
            return (delivered, recipients);
        }
    }

    public async Task OnReceiptsAsync(RoomState state, RoomReceipts receipts)
    {
        ulong lowest = ulong.MaxValue;
        lock (state.Lock)
        {
            foreach (var receipt in receipts.Receipts)
            {
                if (!state.Members.ContainsKey(receipt.Member))
                {
                    continue;
                }
                var before = state.Receipts.TryGetValue(receipt.Member, out var old) ? old.Position : receipt.Joined;
                lowest = Math.Min(lowest, Math.Min(before, receipt.Position));
                state.Receipts[receipt.Member] = receipt;
            }
        }
        if (lowest == ulong.MaxValue)
        {
            return;
        }
        var mine = await store.OwnRoomMessagesAfterAsync("#" + state.Name, (long)lowest, MaxUpdated).ConfigureAwait(false);
        if (mine.Count == 0)
        {
            return;
        }
        var counts = mine.Select(m =>
        {
            var (delivered, recipients) = Count(state, identity.DeviceId, (ulong)m.RoomSeq!.Value);
            return new DeliveryCount(m.Id, delivered, recipients);
        }).ToList();
        events.Publish(RoomsEvents.Delivery, () => new RoomDeliveryEvent("#" + state.Name, counts));
    }
}
