using System.Buffers;

namespace Parley.Core.Protocol;

/// <summary>
/// One decoded frame. <see cref="Payload"/> points into the receive buffer and is valid only
/// until the reader advances; copy what must outlive the frame handler.
/// </summary>
public readonly record struct Frame(FrameType Type, byte Channel, ReadOnlySequence<byte> Payload)
{
    public int Length => (int)Payload.Length;
}
