using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Two homes behind symmetric NATs (no direct UDP path can exist) and Debian's coturn on the internet
/// between them: a <c>parley turn-check</c> in each home allocates on coturn, learns the other's
/// relayed address, and they ping each other through the two relays, both ways.
/// </summary>
public sealed class TurnNatTests
{
    [Fact]
    public async Task BehindTwoSymmetricNats_TurnRelaysDatagramsBetweenTheHomes()
    {
        using var net = NatTopology.Create(NatKind.Symmetric, NatKind.Symmetric);
        await using var coturn = await CoturnProcess.StartAsync(net.HubAddress, ["ip", "netns", "exec", net.Internet]);
        string[] args = ["turn-check", "--turn", coturn.Uri, "--turn-user", CoturnProcess.User, "--turn-password", CoturnProcess.Password, "--peer", "-", "--pings", "20"];
        using var alice = Process.Start(ParleyRunner.InNamespace(net.A).StartInfo(args, redirectInput: true))!;
        using var bob = Process.Start(ParleyRunner.InNamespace(net.B).StartInfo(args, redirectInput: true))!;
        try
        {
            var (aliceRelayed, aliceMapped) = await ReadAddressesAsync(alice);
            var (bobRelayed, bobMapped) = await ReadAddressesAsync(bob);
            // Each home is seen from its router's outside address (10.x.0.* and 10.x.1.*), not its own.
            Assert.Equal(0, aliceMapped.Address.GetAddressBytes()[2]);
            Assert.Equal(1, bobMapped.Address.GetAddressBytes()[2]);
            Assert.Equal(IPAddress.Parse(net.HubAddress), aliceRelayed.Address);
            await alice.StandardInput.WriteLineAsync(bobRelayed.ToString());
            await bob.StandardInput.WriteLineAsync(aliceRelayed.ToString());
            await alice.StandardInput.FlushAsync();
            await bob.StandardInput.FlushAsync();

            var (aliceOut, bobOut) = (alice.StandardOutput.ReadToEndAsync(), bob.StandardOutput.ReadToEndAsync());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await Task.WhenAll(alice.WaitForExitAsync(timeout.Token), bob.WaitForExitAsync(timeout.Token));
            var log = $"alice:\n{await aliceOut}{await alice.StandardError.ReadToEndAsync()}\nbob:\n{await bobOut}{await bob.StandardError.ReadToEndAsync()}";
            Assert.True(alice.ExitCode == 0 && bob.ExitCode == 0, log + "\ncoturn:\n" + coturn.Log);
            Assert.Matches(new Regex("pings +20/20 answered"), await aliceOut);
            Assert.Matches(new Regex("pings +20/20 answered"), await bobOut);
            Console.WriteLine(log);
        }
        finally
        {
            foreach (var process in new[] { alice, bob })
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
    }

    private static async Task<(IPEndPoint Relayed, IPEndPoint Mapped)> ReadAddressesAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var relayed = await process.StandardOutput.ReadLineAsync(timeout.Token);
        var mapped = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (relayed?.StartsWith("relayed", StringComparison.Ordinal) != true || mapped?.StartsWith("mapped", StringComparison.Ordinal) != true)
        {
            Assert.Fail($"turn-check printed '{relayed}', '{mapped}': {await process.StandardError.ReadToEndAsync(timeout.Token)}");
        }
        return (IPEndPoint.Parse(relayed![8..].Trim()), IPEndPoint.Parse(mapped![8..].Trim()));
    }
}
