using System.Text;
using System.Text.Json;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.Cli.Tests;

/// <summary>
/// Attachments between separate <c>parley up</c> processes on one <c>parley hub</c> process, through the
/// verbs a user runs: <c>parley attach</c>, <c>parley history</c>, <c>parley save</c>.
/// </summary>
public sealed class AttachmentProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-attach-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// A 10 MiB file in a room of three: stored once at the hub, as ciphertext only; a member saves a
    /// byte-identical copy; past the member's quota the hub refuses with a clear error and the earlier
    /// attachment stays; a blob altered at the hub is refused on save, with no file left.
    /// </summary>
    [Fact]
    public async Task RoomOfThree_TenMiBAttachment_StoredOnceAsCiphertext_SavedIdentical_QuotaRefusesClearly_TamperedRefused()
    {
        const string marker = "attach-marker-5f1c-plaintext";
        await using var cluster = await RoomCluster.StartAsync(_root, ["alice", "bob", "carol"], "--attachment-quota", "15");
        var (alice, bob, carol) = (cluster["alice"], cluster["bob"], cluster["carol"]);
        await cluster.CreateAsync(alice, "team");
        await cluster.JoinAsync(alice, bob, "team");
        await cluster.JoinAsync(alice, carol, "team");
        var file = Path.Combine(_root, "report.bin");
        AttachmentFiles.WriteMarked(file, 10 << 20, marker);

        var sent = await alice.MustAsync("attach", "#team", file, "--caption", "the report", "--json");
        var id = sent.Json.GetProperty("id").GetString()!;
        var received = await AttachmentFiles.WaitForAsync(bob, "#team", id);
        Assert.Equal("report.bin", received.GetProperty("name").GetString());
        Assert.Equal(10 << 20, received.GetProperty("size").GetInt64());
        Assert.Equal("remote", received.GetProperty("state").GetString()); // nothing fetched or written until asked
        Assert.Contains("report.bin 10 MiB", (await bob.MustAsync("history", "#team")).Out, StringComparison.Ordinal);

        var bobFolder = Directory.CreateDirectory(Path.Combine(_root, "bob-saved")).FullName;
        var saved = await bob.MustAsync("save", id[..8], bobFolder);
        output.WriteLine(saved.Out);
        Assert.Equal(FileHash.Sha256(file), FileHash.Sha256(Path.Combine(bobFolder, "report.bin")));

        var blobs = Directory.GetFiles(Path.Combine(cluster.HubHome, "blobs"));
        Assert.Single(blobs); // one stored copy for the room, however many members
        Assert.InRange(new FileInfo(blobs[0]).Length, 10 << 20, (10 << 20) + 4096);
        Assert.Empty(cluster.PlaintextAtHub(marker));

        // Over alice's 15 MiB quota: a clear refusal, and the first attachment is still there for everyone.
        var second = Path.Combine(_root, "second.bin");
        AttachmentFiles.WriteMarked(second, 10 << 20, marker + "-2");
        var refused = await alice.CliAsync("attach", "#team", second);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("over your quota", refused.Error + refused.Out, StringComparison.Ordinal);
        Assert.Equal(id, (await AttachmentFiles.WaitForAsync(carol, "#team", id)).GetProperty("id").GetString());

        // A blob altered at the hub: carol, who has not fetched it yet, is refused, and no file is left.
        await using (var stream = new FileStream(blobs[0], FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 5 << 20;
            var b = stream.ReadByte();
            stream.Position = 5 << 20;
            stream.WriteByte((byte)(b ^ 0x5A));
        }
        var carolFolder = Directory.CreateDirectory(Path.Combine(_root, "carol-saved")).FullName;
        var tampered = await carol.CliAsync("save", id, carolFolder);
        output.WriteLine(tampered.Error + tampered.Out);
        Assert.NotEqual(0, tampered.ExitCode);
        Assert.Contains("refused", tampered.Error + tampered.Out, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(carolFolder));
    }

    /// <summary>
    /// <c>parley attach</c> to a contact who is offline: the ciphertext waits at the hub and the reference in
    /// its mailbox; the contact comes online and <c>parley save</c> writes a byte-identical file.
    /// </summary>
    [Fact]
    public async Task OfflineContact_Attach_ContactComesOnline_SaveWritesIdenticalFile()
    {
        const string marker = "offline-attach-marker-77d2";
        await using var cluster = await RoomCluster.StartAsync(_root, ["alice", "bob"]);
        var (alice, bob) = (cluster["alice"], cluster["bob"]);
        await NodeProcess.BefriendAsync(alice.Process!, bob.Process!);
        await bob.KillAsync();
        var file = Path.Combine(_root, "notes.txt");
        AttachmentFiles.WriteMarked(file, 300_000, marker);

        var sent = await alice.MustAsync("attach", bob.DeviceId, file, "--json");
        var id = sent.Json.GetProperty("id").GetString()!;
        Assert.Equal("mailed", sent.Json.GetProperty("state").GetString(), ignoreCase: true);

        await bob.StartAsync();
        var received = await AttachmentFiles.WaitForAsync(bob, alice.DeviceId, id);
        Assert.Equal("notes.txt", received.GetProperty("name").GetString());
        var target = Path.Combine(_root, "bob-notes.txt");
        await bob.MustAsync("save", id[..10], target);
        Assert.Equal(FileHash.Sha256(file), FileHash.Sha256(target));
        Assert.Empty(cluster.PlaintextAtHub(marker));

        // Now online: an image, with the preview `parley attach` makes with ffmpeg, and the routes the page reads.
        var image = Path.Combine(_root, "photo.png");
        using (var ffmpeg = System.Diagnostics.Process.Start("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=1280x720", "-frames:v", "1", image]))
        {
            await ffmpeg.WaitForExitAsync();
        }
        var photo = (await alice.MustAsync("attach", bob.DeviceId, image, "--caption", "look", "--json")).Json;
        var photoId = photo.GetProperty("id").GetString()!;
        Assert.True(photo.GetProperty("attachment").GetProperty("hasPreview").GetBoolean(), photo.ToString());
        var shown = await AttachmentFiles.WaitForAsync(bob, alice.DeviceId, photoId);
        Assert.Equal("Image", shown.GetProperty("kind").GetString(), ignoreCase: true);
        using var api = await ApiAsync(bob);
        using var preview = await api.GetAsync($"api/attachments/{photoId}/preview");
        var jpeg = await preview.Content.ReadAsByteArrayAsync();
        Assert.Equal("image/jpeg", preview.Content.Headers.ContentType?.MediaType);
        Assert.True(jpeg.Length is > 100 and <= 32 * 1024 && jpeg[0] == 0xFF && jpeg[1] == 0xD8, $"preview of {jpeg.Length} bytes");
        Assert.Equal("sandbox", string.Join(",", preview.Headers.GetValues("Content-Security-Policy")));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/attachments/{id}/content");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
        using var part = await api.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal("application/octet-stream", part.Content.Headers.ContentType?.MediaType); // a .txt is never served as text
        Assert.Equal("nosniff", string.Join(",", part.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(File.ReadAllBytes(file)[1000..2000], await part.Content.ReadAsByteArrayAsync());
    }

    /// <summary>A client of the node's local API, as the CLI finds it (runtime file and key in the home).</summary>
    private static async Task<HttpClient> ApiAsync(ClusterNode node)
    {
        var runtime = JsonSerializer.Deserialize<Parley.Node.RuntimeInfo>(await File.ReadAllTextAsync(Parley.Node.HomeFolder.RuntimePath(node.Home)),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var api = new HttpClient { BaseAddress = new Uri(runtime.ApiUrl + "/") };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            (await File.ReadAllTextAsync(Parley.Node.HomeFolder.ApiKeyPath(node.Home))).Trim());
        return api;
    }

    /// <summary>
    /// To a contact who is online the ciphertext goes over the link (the hub holds none of it) and the message
    /// is delivered once the receiver checked it; one the hub refuses (over the quota) while the contact is
    /// away is kept and sent over the link when the contact is back.
    /// </summary>
    [Fact]
    public async Task OnlineContact_GetsItOverTheLink_AndOneTheHubRefuses_IsSentWhenTheContactIsBack()
    {
        await using var cluster = await RoomCluster.StartAsync(_root, ["alice", "bob"], "--attachment-quota", "1");
        var (alice, bob) = (cluster["alice"], cluster["bob"]);
        await NodeProcess.BefriendAsync(alice.Process!, bob.Process!);
        var small = Path.Combine(_root, "small.bin");
        AttachmentFiles.WriteMarked(small, 700_000, "link-marker-1");
        var id = (await alice.MustAsync("attach", bob.DeviceId, small, "--json")).Json.GetProperty("id").GetString()!;
        await AttachmentFiles.WaitForAsync(bob, alice.DeviceId, id);
        Assert.True(await RoomCluster.WaitAsync(async () => await StateAsync(alice, bob.DeviceId, id) == "delivered", TimeSpan.FromSeconds(20)),
            "alice's attachment never showed delivered");
        var first = Path.Combine(_root, "bob-small.bin");
        await bob.MustAsync("save", id, first);
        Assert.Equal(FileHash.Sha256(small), FileHash.Sha256(first));

        await bob.KillAsync();
        var large = Path.Combine(_root, "large.bin");
        AttachmentFiles.WriteMarked(large, 3 << 20, "link-marker-2");
        var queued = (await alice.MustAsync("attach", bob.DeviceId, large, "--json")).Json;
        Assert.Equal("queued", queued.GetProperty("state").GetString(), ignoreCase: true);
        Assert.Contains("quota", queued.GetProperty("warning").GetString(), StringComparison.Ordinal);
        var largeId = queued.GetProperty("id").GetString()!;
        await bob.StartAsync();
        await AttachmentFiles.WaitForAsync(bob, alice.DeviceId, largeId);
        Assert.True(await RoomCluster.WaitAsync(async () => await StateAsync(alice, bob.DeviceId, largeId) == "delivered", TimeSpan.FromSeconds(30)),
            "the kept attachment never showed delivered");
        var second = Path.Combine(_root, "bob-large.bin");
        await bob.MustAsync("save", largeId, second);
        Assert.Equal(FileHash.Sha256(large), FileHash.Sha256(second));
        Assert.Empty(Directory.GetFiles(Path.Combine(cluster.HubHome, "blobs"))); // none of it went through the hub
    }

    private static async Task<string?> StateAsync(ClusterNode node, string conversation, string id) =>
        (await node.CliAsync("history", conversation, "--json")).Json.EnumerateArray()
            .Where(m => m.GetProperty("id").GetString() == id).Select(m => m.GetProperty("state").GetString()?.ToLowerInvariant()).FirstOrDefault();
}
