using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// A transfer over a bad LAN link (two namespaces, 2 % packet loss each way, capped rate) with the
/// receiver killed (-9) and restarted at 30 % and 70 %: the file must arrive whole every time.
/// CI runs one round of 24 MiB at 40 Mbit/s; the benchmark runs 200 MiB five times at 80 Mbit/s:
/// <c>PARLEY_LOSSY_MIB=200 PARLEY_LOSSY_RUNS=5 PARLEY_LOSSY_MBIT=80 ./scripts/test --filter LossyLink</c>.
/// </summary>
public sealed class LossyLinkTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-lossy-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;

    [Fact]
    public async Task Transfer_OverLossyLink_WithReceiverKilledTwice_ArrivesWhole()
    {
        var mib = Setting("PARLEY_LOSSY_MIB", 24);
        var runs = Setting("PARLEY_LOSSY_RUNS", 1);
        var source = Path.Combine(_root, "payload.bin");
        await using (var stream = File.Create(source))
        {
            var chunk = new byte[1 << 20];
            for (var i = 0; i < mib; i++)
            {
                Random.Shared.NextBytes(chunk);
                await stream.WriteAsync(chunk);
            }
        }
        var expected = Sha256(source);
        for (var run = 1; run <= runs; run++)
        {
            var (seconds, kills) = await OneRunAsync(source, Path.Combine(_root, $"run{run}"));
            Console.WriteLine($"lossy run {run}/{runs}: {mib} MiB in {seconds:0.0} s with {kills} kills; SHA-256 equal");
        }

        async Task<(double Seconds, int Kills)> OneRunAsync(string file, string dir)
        {
            using var lan = NetworkNamespaces.Create();
            lan.Degrade(lossPercent: 2, rateMbit: Setting("PARLEY_LOSSY_MBIT", 40));
            var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lan.A), Path.Combine(dir, "alice"), "--name", "alice", "--no-discovery");
            var bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lan.B), Path.Combine(dir, "bob"), "--name", "bob", "--no-discovery");
            var started = DateTime.UtcNow;
            var kills = 0;
            try
            {
                var bobId = (await bob.StatusAsync()).GetProperty("deviceId").GetString()!;
                var aliceId = (await alice.StatusAsync()).GetProperty("deviceId").GetString()!;
                Assert.Equal(0, (await alice.CliAsync("add", bobId, $"{lan.AddressB}:47800")).ExitCode);
                Assert.Equal(0, (await bob.CliAsync("add", aliceId, $"{lan.AddressA}:47800")).ExitCode);
                var inbox = Path.Combine(dir, "inbox");
                await Until(async () => (await bob.CliAsync("auto-accept", "alice", "on")).ExitCode == 0, "bob to know alice", 30);
                Assert.Equal(0, (await bob.CliAsync("settings", "--download-folder", inbox)).ExitCode);
                var offered = await alice.CliAsync("send", file, "--to", "bob", "--no-wait", "--json");
                Assert.True(offered.ExitCode == 0, offered.Error);
                var id = offered.Json.GetProperty("id").GetString()!;
                foreach (var fraction in new[] { 0.3, 0.7 })
                {
                    string? state = null;
                    await Until(async () =>
                    {
                        var list = await bob.CliAsync("transfers", "--json");
                        state = State(list, id);
                        return Progress(list, id) >= fraction;
                    }, $"{fraction:P0}", 300);
                    bob.Process.Kill();
                    await bob.Process.WaitForExitAsync();
                    await bob.DisposeAsync();
                    kills++;
                    if (state != "completed")
                    {
                        // Killed mid-transfer (a slow poll on a busy machine can land after the end; then there is nothing to check).
                        Assert.False(File.Exists(Path.Combine(inbox, "payload.bin")), "nothing stands under the final name before verification");
                    }
                    bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lan.B), Path.Combine(dir, "bob"), "--no-discovery");
                }
                await Until(async () => State(await bob.CliAsync("transfers", "--json"), id) is "completed" or "failed" or "cancelled", "the end", 600);
                Assert.Equal("completed", State(await bob.CliAsync("transfers", "--json"), id));
                Assert.Equal(expected, Sha256(Path.Combine(inbox, "payload.bin")));
                return ((DateTime.UtcNow - started).TotalSeconds, kills);
            }
            finally
            {
                await alice.DisposeAsync();
                await bob.DisposeAsync();
            }
        }
    }

    private static JsonElement? Find(CliResult list, string id) =>
        list.ExitCode == 0 ? list.Json.EnumerateArray().Where(t => t.GetProperty("id").GetString() == id).Select(t => (JsonElement?)t).FirstOrDefault() : null;

    private static double Progress(CliResult list, string id) => Find(list, id) is { } t && t.GetProperty("totalBytes").GetInt64() > 0
        ? t.GetProperty("bytesDone").GetInt64() / (double)t.GetProperty("totalBytes").GetInt64()
        : 0;

    private static string? State(CliResult list, string id) => Find(list, id)?.GetProperty("state").GetString();

    private static async Task Until(Func<Task<bool>> condition, string what, int seconds)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(200);
        }
    }

    private static string Sha256(string path) => FileHash.Sha256(path);
}
