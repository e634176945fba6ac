using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// A network namespace for a hub alone, joined to the test's own namespace by a veth pair (the hub
/// .2, this side .1): nodes run here as usual (their APIs on loopback), and every packet the hub sends
/// or receives crosses that veth, where a capture in the hub's namespace sees it all.
/// </summary>
internal sealed class HubNamespace : IDisposable
{
    private static int s_next;

    private HubNamespace(string name, string address)
    {
        Name = name;
        Address = address;
    }

    public string Name { get; }

    /// <summary>The hub's address on the veth.</summary>
    public string Address { get; }

    public static HubNamespace Create()
    {
        var n = Interlocked.Increment(ref s_next);
        var tag = $"{Environment.ProcessId % 10000}{n}";
        var net = $"10.51.{(Environment.ProcessId + n) % 200 + 20}";
        var name = $"phc{tag}";
        var (inner, outer) = ($"vhc{tag}i", $"vhc{tag}o");
        Plumbing.Ip("netns", "add", name);
        Plumbing.Ip("-n", name, "link", "set", "lo", "up");
        Plumbing.Ip("link", "add", inner, "type", "veth", "peer", "name", outer);
        Plumbing.Ip("link", "set", inner, "netns", name);
        Plumbing.Ip("-n", name, "addr", "add", net + ".2/24", "dev", inner);
        Plumbing.Ip("addr", "add", net + ".1/24", "dev", outer);
        Plumbing.Ip("-n", name, "link", "set", inner, "up");
        Plumbing.Ip("link", "set", outer, "up");
        return new HubNamespace(name, net + ".2");
    }

    /// <summary>
    /// A UDP socket bound to <paramref name="port"/> inside the namespace, made on a thread that moves
    /// into it (setns affects only the calling thread; the socket stays where it was made). Holding the
    /// hub's port number makes the hub run its room calls over the TLS link alone.
    /// </summary>
    public Socket HoldUdpPort(int port)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{Name}");
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
                }
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Any, port));
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException("could not hold the UDP port", failure);
    }

    private const int CloneNewNet = 0x40000000;

    // DllImport, not LibraryImport: the generated stub needs unsafe code, which this test project does not allow.
    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);

    public void Dispose() => Plumbing.Delete([Name]);
}
