using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// One thing the hub does for its members (presence, directory, relay, mailbox, rooms). It declares
/// the frames it takes from members and the frames it sends them; the <see cref="HubRouter"/> gives
/// it exactly the frames it takes, one at a time per member. Throwing <see cref="ProtocolException"/>
/// from a handler closes that member's link with the message as reason.
/// </summary>
internal interface IHubFeature
{
    /// <summary>Frame types members send to this feature. No two features may take one type.</summary>
    IReadOnlyList<FrameSpec> Takes { get; }

    /// <summary>Frame types this feature sends to members (so the hub's links accept them outbound).</summary>
    IReadOnlyList<FrameSpec> Sends { get; }

    ValueTask OnFrameAsync(Member member, Frame frame);

    /// <summary>Which allowance a frame of <paramref name="type"/> spends. Requests unless the feature says otherwise.</summary>
    HubBudget BudgetFor(FrameType type) => HubBudget.Requests;

    /// <summary>A member linked (after any older link of its device was replaced).</summary>
    void OnMemberConnected(Member member)
    {
    }

    /// <summary>A member's link closed and no newer one replaced it: it is offline.</summary>
    void OnMemberDisconnected(Member member)
    {
    }
}
