namespace Parley.Core.Protocol;

/// <summary>
/// A frame type someone owns, the largest payload it may carry, and the message its payload is
/// (null only for a payload with no codec of its own).
/// </summary>
public sealed record FrameSpec(FrameType Type, int MaxPayload, Type? Message = null)
{
    /// <summary>A frame whose payload is one <typeparamref name="T"/>: the cap is the message's own.</summary>
    public static FrameSpec Of<T>(FrameType type) where T : IWireMessage<T> => new(type, T.MaxSize, typeof(T));
}

/// <summary>
/// The frame types one kind of link accepts, with their caps, built once from the specs of whoever
/// handles them. A type outside the table is a protocol error on that link.
/// </summary>
public sealed class FrameTable
{
    private readonly int?[] _caps = new int?[256];

    public FrameTable(IEnumerable<FrameSpec> specs)
    {
        foreach (var spec in specs)
        {
            if (_caps[(byte)spec.Type] is not null)
            {
                throw new ArgumentException($"frame type {spec.Type} is declared twice", nameof(specs));
            }
            if (spec.MaxPayload is < 0 or > ProtocolLimits.MaxPayload)
            {
                throw new ArgumentException($"{spec.Type}'s cap of {spec.MaxPayload} bytes is outside 0..{ProtocolLimits.MaxPayload}", nameof(specs));
            }
            _caps[(byte)spec.Type] = spec.MaxPayload;
        }
    }

    /// <summary>The largest payload <paramref name="type"/> may carry here; null when this link does not take it.</summary>
    public int? MaxPayloadFor(byte type) => _caps[type];

    public bool Contains(FrameType type) => _caps[(byte)type] is not null;
}
