using System.Net;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Hub;

/// <summary>A link to a pretend hub (no sockets or TLS): a test answers what the node sends through <see cref="FakePeerLink.OnSend"/>.</summary>
internal static class FakeHub
{
    private static readonly DeviceId Id = new(Enumerable.Repeat((byte)7, DeviceId.Size).ToArray());

    public static FakePeerLink Link() => new(Id, "hub")
    {
        RemoteHello = new(Hello.CurrentVersion, Id, HelloCapabilities.Hub, 0, HelloFlags.None, "hub"),
        RemoteEndPoint = new(IPAddress.Loopback, 47900),
    };
}
