using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Parley.Core.Hub.Relay;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Cluster;

/// <summary>
/// One hub of a cluster asking the hub its relay's target is on to carry the target's half: that hub
/// gives the target an invited ticket for a session of its own, dials the asking hub at one of
/// <see cref="Endpoints"/> with <see cref="Token"/> (the invited side of the asking hub's session), and
/// splices the two. Sent on the NATS subject of the target's hub; read back as untrusted bytes.
/// <code>
/// ClusterRelayAsk: asker (32) | target (32) | token (32) | endpoint count u8 (1 to 16) | endpoints (text8 "address:port" each)
/// </code>
/// </summary>
public sealed record ClusterRelayAsk(DeviceId Asker, DeviceId Target, byte[] Token, IReadOnlyList<string> Endpoints) : IWireMessage<ClusterRelayAsk>
{
    /// <summary>Longest endpoint text: an IPv6 address with scope, brackets and port.</summary>
    public const int MaxEndpointBytes = 64;

    public static int MaxSize => DeviceId.Size * 2 + RelayTicket.TokenSize + 1 + Invite.MaxAddresses * (1 + MaxEndpointBytes);

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ClusterRelayAsk message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadDevice(out var asker) || !reader.TryReadDevice(out var target) || !reader.TryReadBytes(RelayTicket.TokenSize, out var token)
            || !reader.TryRead(out var count) || count is 0 or > Invite.MaxAddresses)
        {
            error = "truncated, or no endpoints, or too many";
            return false;
        }
        var endpoints = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            // Canonical text only, so what is read writes back to the same bytes.
            if (!reader.TryReadText8(MaxEndpointBytes, out var text) || !IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port == 0 || endpoint.ToString() != text)
            {
                error = "an endpoint is not address:port";
                return false;
            }
            endpoints.Add(text);
        }
        if (reader.Remaining != 0)
        {
            error = "bytes after the endpoints";
            return false;
        }
        message = new ClusterRelayAsk(asker, target, token, endpoints);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteDevice(Asker);
        output.WriteDevice(Target);
        output.Write(Token);
        output.WriteU8((byte)Endpoints.Count);
        foreach (var endpoint in Endpoints)
        {
            output.WriteText8(endpoint, MaxEndpointBytes);
        }
    }
}

/// <summary>
/// The target's hub's answer to a <see cref="ClusterRelayAsk"/>: empty when its half is in place (the
/// target has its ticket and the hubs are joined), else why not, for the asking member.
/// <code>
/// ClusterRelayAnswer: refusal (UTF-8, the rest, at most 256 bytes; none: bridged)
/// </code>
/// </summary>
public sealed record ClusterRelayAnswer(string Refusal) : IWireMessage<ClusterRelayAnswer>
{
    public const int MaxRefusalBytes = 256;

    public static int MaxSize => MaxRefusalBytes;

    public bool Bridged => Refusal.Length == 0;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ClusterRelayAnswer message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRestText(MaxRefusalBytes, out var refusal))
        {
            error = "a refusal too long or not UTF-8";
            return false;
        }
        message = new ClusterRelayAnswer(refusal);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output) => output.Write(PayloadText.Truncate(Refusal, MaxRefusalBytes));
}
