using System.Buffers;
using System.Net;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Testing;

namespace Parley.Node.Tests.Security;

/// <summary>
/// A contact gone bad: an identity the victim accepted, speaking the protocol through an
/// <see cref="AttackerLink"/> (real TLS, a hello saying it holds the victim as a contact), so its
/// frames pass consent and reach the features as a friend's would.
/// </summary>
internal static class ContactAttacker
{
    /// <summary>Makes a fresh identity a contact of <paramref name="victim"/> and links to it as that contact; the session is open on return.</summary>
    public static async Task<AttackerLink> ConnectAsync(TestNode victim, string name = "mallory")
    {
        var identity = NodeIdentity.CreateEphemeral();
        await victim.Node.Links.MakeContactAsync(identity.DeviceId, name);
        var link = await AttackerLink.ConnectAsync(IPEndPoint.Parse(victim.Address), name, identity, HelloFlags.Contact);
        await Wait.UntilAsync(() => victim.Node.Links.Session(identity.DeviceId)?.IsOpen == true, "the attacking contact's session to open");
        return link;
    }

    /// <summary>
    /// Sends a ping and reads until its pong: the victim handles a link's frames in order, so by then it
    /// has handled everything sent before. Returns the frames that came first, or null if no pong came
    /// within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<IReadOnlyList<(FrameType Type, byte[] Payload)>?> RoundTripAsync(this AttackerLink link, TimeSpan timeout)
    {
        var nonce = (ulong)Random.Shared.NextInt64();
        await link.SendAsync(FrameType.Ping, new PingNonce(nonce));
        var before = new List<(FrameType, byte[])>();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && await link.ReadFrameAsync(deadline - DateTime.UtcNow) is { } frame)
        {
            if (frame.Type == FrameType.Pong && WireMessage.Read<PingNonce>(frame.Payload).Value == nonce)
            {
                return before;
            }
            before.Add((frame.Type, frame.Payload.ToArray()));
        }
        return null;
    }
}
