using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Parley.Core.Protocol;

/// <summary>
/// The one codec shape every wire message has: a pure reader over untrusted bytes that says why it
/// refused, a writer into a buffer, and its own cap, which the frame table checks before the payload
/// is buffered. The fuzz tests find every implementation by reflection, so a new message is fuzzed
/// without anyone listing it.
/// </summary>
public interface IWireMessage<TSelf> where TSelf : IWireMessage<TSelf>
{
    /// <summary>The largest encoding in bytes; a longer payload is refused before it is read.</summary>
    static abstract int MaxSize { get; }

    /// <summary>
    /// Reads one whole message from <paramref name="payload"/>. Never throws on bad input: returns
    /// false with <paramref name="error"/> saying what was wrong, for the link's close reason.
    /// </summary>
    static abstract bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out TSelf message, out string error);

    /// <summary>Writes the encoding (at most <see cref="MaxSize"/> bytes).</summary>
    void Write(IBufferWriter<byte> output);
}

/// <summary>Helpers over <see cref="IWireMessage{TSelf}"/>.</summary>
public static class WireMessage
{
    /// <summary>The encoding as a new array, for a frame payload.</summary>
    public static byte[] ToArray<T>(this T message) where T : IWireMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        message.Write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a frame's payload as <typeparamref name="T"/>, or throws a <see cref="ProtocolException"/>
    /// (which closes that one link with the reason).</summary>
    public static T Read<T>(this in Frame frame) where T : IWireMessage<T> =>
        Read<T>(frame.Payload);

    /// <summary>As <see cref="Read{T}(in Frame)"/> over bytes that are not a frame (a datagram, a sealed item).</summary>
    public static T Read<T>(in ReadOnlySequence<byte> payload) where T : IWireMessage<T>
    {
        if (payload.Length > T.MaxSize)
        {
            throw new ProtocolException($"{typeof(T).Name} of {payload.Length} bytes is over its cap of {T.MaxSize}");
        }
        return T.TryRead(payload, out var message, out var error) ? message : throw new ProtocolException($"malformed {typeof(T).Name}: {error}");
    }

    /// <summary>As <see cref="Read{T}(in ReadOnlySequence{byte})"/> over a span-backed array.</summary>
    public static T Read<T>(ReadOnlyMemory<byte> payload) where T : IWireMessage<T> => Read<T>(new ReadOnlySequence<byte>(payload));

    /// <summary>TryRead over an array, checking the cap first.</summary>
    public static bool TryRead<T>(ReadOnlyMemory<byte> payload, [MaybeNullWhen(false)] out T message, out string error) where T : IWireMessage<T>
    {
        if (payload.Length > T.MaxSize)
        {
            message = default;
            error = $"{payload.Length} bytes is over the cap of {T.MaxSize}";
            return false;
        }
        return T.TryRead(new ReadOnlySequence<byte>(payload), out message, out error);
    }
}
