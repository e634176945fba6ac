using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Hub;

namespace Parley.Node.Rooms;

/// <summary>
/// Sender keys: each member encrypts with a key of its own and hands it to every other member sealed
/// to that member's published agreement key. A new key whenever anyone joins or leaves means a member
/// who left cannot read what follows and one who joins cannot read what came before.
/// </summary>
internal sealed class RoomKeys(NodeIdentity identity, AgreementKey agreement, IHubChannel channel, VerifiedDirectory directory, RoomBook book, RoomChat chat,
    RoomAdmission admission, ILoggerFactory loggerFactory) : IHubClientFeature
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");

    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<RoomKey>(FrameType.RoomKey)];

    /// <summary>A new sender key for us in this room, sealed to each other member's agreement key.</summary>
    public async Task RekeyAsync(RoomState state)
    {
        SenderKey key;
        List<DeviceId> others;
        lock (state.Lock)
        {
            key = state.MyKey = SenderKey.CreateRandom();
            others = [.. state.Members.Keys.Where(m => m != identity.DeviceId)];
        }
        // Only to members admitted on an owner's word (RoomAdmission logs and counts the others): the hub cannot add a reader.
        others.RemoveAll(member => !admission.MayReceiveKey(state, member));
        var encoded = SenderKeyItem.Of(state.Name, key).ToArray();
        foreach (var member in others)
        {
            if (await directory.TryFindAsync(member).ConfigureAwait(false) is { } entry)
            {
                var item = MailboxSeal.Seal(identity, member, entry.AgreementKey, encoded, SealPurpose.RoomKey);
                channel.TrySend(FrameType.RoomKey, new RoomKey(state.Name, identity.DeviceId, member, item));
            }
            else
            {
                RoomsLog.NoKey(_logger, member.Short, state.Name);
            }
        }
    }

    /// <summary>Room frames come from other members through the hub: a malformed one is dropped, not a reason to drop the hub.</summary>
    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (RoomKey.TryRead(frame.Payload, out var key, out _))
        {
            _ = AcceptAsync(key.Room, key.From, key.To, key.Item);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Keeps a key sealed to us by the member it names, then reads the messages that waited for it.</summary>
    private async Task AcceptAsync(string room, DeviceId from, DeviceId to, byte[] item)
    {
        if (to != identity.DeviceId || book.Find(room) is not { } state
            || !MailboxSeal.TryOpen(item, agreement, identity.DeviceId, SealPurpose.RoomKey, out var sealedBy, out var plaintext, out _)
            || sealedBy != from || !WireMessage.TryRead<SenderKeyItem>(plaintext, out var key, out _) || key.Room != room)
        {
            return;
        }
        List<(DeviceId Sender, byte[] Sealed)> ready;
        lock (state.Lock)
        {
            state.Keys[(from, key.KeyId)] = key.Key;
            ready = state.TakePending(from);
        }
        foreach (var (sender, sealedMessage) in ready)
        {
            await chat.OpenAsync(room, sender, sealedMessage).ConfigureAwait(false);
        }
    }
}
