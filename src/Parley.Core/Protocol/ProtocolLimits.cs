namespace Parley.Core.Protocol;

/// <summary>
/// Every size the decoder accepts, checked before any payload is buffered.
/// Documented in docs/protocol.md; change both together.
/// </summary>
public static class ProtocolLimits
{
    /// <summary>Bytes before the payload: length (4), type (1), channel (1).</summary>
    public const int HeaderSize = 6;

    /// <summary>Largest payload of any frame type: 1 MiB.</summary>
    public const int MaxPayload = 1 << 20;

    /// <summary>Largest display name in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 64;

    /// <summary>Largest close reason in UTF-8 bytes.</summary>
    public const int MaxCloseReasonBytes = 256;

    public const int MessageIdSize = 16;
}
