using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Built once from the hub's features: which feature takes each frame type, and the frame table
/// (with caps) the hub's links read with. A type no feature takes is a protocol error: the reader
/// refuses types outside the table, and <see cref="RouteAsync"/> refuses a type the hub only sends.
/// </summary>
internal sealed class HubRouter
{
    private readonly FrameOwners<IHubFeature> _owners;

    public HubRouter(IEnumerable<IHubFeature> features)
    {
        Features = [.. features];
        _owners = new FrameOwners<IHubFeature>(Features, feature => feature.Takes);
        // A type may be both taken and sent (room messages and keys pass through); the table lists it once.
        var specs = Features.SelectMany(f => f.Takes.Concat(f.Sends)).Distinct().ToList();
        Frames = new FrameTable([.. LinkFrames.Specs, .. specs]);
    }

    /// <summary>The features in the order they hear of members connecting and leaving.</summary>
    public IReadOnlyList<IHubFeature> Features { get; }

    /// <summary>Every frame type a hub link carries, either way: the link's own and the features'.</summary>
    public FrameTable Frames { get; }

    /// <summary>Spends the member's allowance for the frame and hands it to its feature.</summary>
    public ValueTask RouteAsync(Member member, Frame frame)
    {
        var owner = _owners.For(frame.Type) ?? throw new ProtocolException($"a hub does not take {frame.Type} frames");
        if (member.Limits.TrySpend(owner.BudgetFor(frame.Type)) is { } refusal)
        {
            throw new ProtocolException(refusal);
        }
        return owner.OnFrameAsync(member, frame);
    }

    public void MemberConnected(Member member)
    {
        foreach (var feature in Features)
        {
            feature.OnMemberConnected(member);
        }
    }

    public void MemberDisconnected(Member member)
    {
        foreach (var feature in Features)
        {
            feature.OnMemberDisconnected(member);
        }
    }
}
