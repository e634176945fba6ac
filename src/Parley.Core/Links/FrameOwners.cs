using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>
/// Which handler owns each frame type, built once from what each claims: a type claimed twice, or one
/// the link itself handles (hello, ping, close...), is refused when built, so two handlers can never
/// both think a frame is theirs. A node's and a hub's routers are both made of one.
/// </summary>
public sealed class FrameOwners<TOwner> where TOwner : class
{
    private readonly TOwner?[] _owners = new TOwner?[256];

    public FrameOwners(IEnumerable<TOwner> owners, Func<TOwner, IEnumerable<FrameSpec>> claims)
    {
        foreach (var owner in owners)
        {
            foreach (var spec in claims(owner))
            {
                var taken = _owners[(byte)spec.Type];
                if (taken is not null || LinkFrames.Specs.Any(s => s.Type == spec.Type))
                {
                    throw new InvalidOperationException($"{owner.GetType().Name} claims {spec.Type}, already owned by {taken?.GetType().Name ?? "the link"}");
                }
                _owners[(byte)spec.Type] = owner;
            }
        }
    }

    /// <summary>The owner of <paramref name="type"/>, or null when nobody claimed it.</summary>
    public TOwner? For(FrameType type) => _owners[(byte)type];
}
