using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Issue 23's attachments across hubs: two `parley hub --cluster` processes over a three-server NATS cluster,
/// a room with a member on each (nodes as `parley up` processes). The ciphertext goes into the cluster's
/// JetStream object store, so what one hub took the other serves; quotas count across the hubs.
/// </summary>
public sealed class ClusterAttachmentTests(ITestOutputHelper output) : IDisposable
{
    private const string Marker = "cluster-attach-marker-9e4b";
    private readonly string _root = Directory.CreateTempSubdirectory("parley-clusterblobs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<HubProcess> StartHub(NatsServers nats, string name) => HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), "--port", "0",
        "--cluster", nats.Urls, "--identity", Path.Combine(_root, "hub-identity.pem"), "--attachment-quota", "15");

    private async Task<string> FullInviteAsync(string hub)
    {
        var invite = "";
        await Plumbing.Eventually<bool>(async () =>
            HubProcess.InvitePorts(invite = (await ParleyRunner.Local.RunAsync("--home", Path.Combine(_root, hub), "hub", "invite")).Out.Trim()).Distinct().Count() == 2 ? true : null,
            $"{hub}'s invite to list both hubs");
        return invite;
    }

    private async Task<ClusterNode> StartNode(string name, string invite)
    {
        var node = new ClusterNode(ParleyRunner.Local, name, Path.Combine(_root, name), ["--port", "0", "--api-port", "0", "--no-discovery", "--hub", invite]);
        await node.StartAsync();
        return node;
    }

    [Fact]
    public async Task TenMiBUploadedThroughOneHub_NatsServerKilledMidway_SavedIdenticalThroughTheOther_QuotaCountsAcrossHubs()
    {
        await using var nats = await NatsServers.StartAsync(3);
        await using var hub1 = await StartHub(nats, "hub1");
        await using var hub2 = await StartHub(nats, "hub2");
        var alice = await StartNode("alice", await FullInviteAsync("hub1"));
        var bob = await StartNode("bob", await FullInviteAsync("hub2"));
        try
        {
            await alice.MustAsync("room", "create", "team");
            await alice.MustAsync("room", "invite", "#team", bob.DeviceId);
            await bob.MustAsync("room", "join", "team");
            var file = Path.Combine(_root, "report.bin");
            AttachmentFiles.WriteMarked(file, 10 << 20, Marker);

            // One NATS server dies with SIGKILL as hub 1 starts putting the bytes into the cluster (its upload file is whole).
            var attach = alice.MustAsync("attach", "#team", file, "--json");
            var uploads = Path.Combine(_root, "hub1", "blob-cache");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!attach.IsCompleted && DateTime.UtcNow < deadline
                && !(Directory.Exists(uploads) && Directory.EnumerateFiles(uploads, "*.part-*").Any(f => new FileInfo(f).Length >= 10 << 20)))
            {
                await Task.Delay(10);
            }
            Assert.False(attach.IsCompleted, "the upload ended before a NATS server could be killed during it");
            await nats.KillAsync(0);
            var id = (await attach).Json.GetProperty("id").GetString()!;

            var received = await AttachmentFiles.WaitForAsync(bob, "#team", id);
            Assert.Equal(10 << 20, received.GetProperty("size").GetInt64());
            var saved = Directory.CreateDirectory(Path.Combine(_root, "bob-saved")).FullName;
            output.WriteLine((await bob.MustAsync("save", id[..8], saved)).Out);
            Assert.Equal(FileHash.Sha256(file), FileHash.Sha256(Path.Combine(saved, "report.bin")));
            Assert.Single(Directory.GetFiles(Path.Combine(_root, "hub2", "blob-cache"))); // hub 2 fetched it from NATS, checked, and kept a copy
            Assert.Empty(AttachmentFiles.FilesContaining(nats.Folder, Marker)); // ciphertext only in NATS
            Assert.Empty(AttachmentFiles.FilesContaining(Path.Combine(_root, "hub1"), Marker));

            // Alice comes back on hub 2: her 10 MiB taken by hub 1 count against her 15 MiB there too.
            await alice.KillAsync();
            alice = await StartNode("alice", await FullInviteAsync("hub2"));
            var second = Path.Combine(_root, "second.bin");
            AttachmentFiles.WriteMarked(second, 10 << 20, Marker + "-2");
            var refused = await alice.CliAsync("attach", "#team", second);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.True((refused.Error + refused.Out).Contains("over your quota", StringComparison.Ordinal), $"{refused.Error}{refused.Out}\n--- hub 2\n{hub2.Output}");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- alice\n{alice.Output}\n--- hub 1\n{hub1.Output}\n--- hub 2\n{hub2.Output}", e);
        }
        finally
        {
            output.WriteLine($"--- hub 1\n{hub1.Output}\n--- hub 2\n{hub2.Output}");
            await alice.DisposeAsync();
            await bob.DisposeAsync();
        }
    }
}
