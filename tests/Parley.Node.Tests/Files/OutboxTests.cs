using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Node.Files;
using static Parley.Node.Tests.Files.TransferTestKit;

namespace Parley.Node.Tests.Files;

/// <summary>Sending from the browser: files PUT to an upload on the node, then offered from there.</summary>
public sealed class OutboxTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("parley-outbox-").FullName;
    private TestNode _alice = null!;
    private TestNode _bob = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _alice = await TestNode.StartAsync("alice");
        _bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(_alice, _bob);
        _api = new HttpClient { BaseAddress = _alice.Node.ApiUrl };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _alice.Node.ApiKey);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private string OutboxRoot => Path.Combine(_alice.Home, "outbox");

    private async Task<string> NewUploadAsync() =>
        (await (await _api.PostAsJsonAsync("/api/uploads", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

    private Task<HttpResponseMessage> PutAsync(string upload, string path, byte[] content) =>
        _api.PutAsync($"/api/uploads/{upload}?path={Uri.EscapeDataString(path)}", new ByteArrayContent(content));

    [Fact]
    public async Task Folder_Uploaded_IsSent_Arrives_AndTheStagedCopyIsRemoved()
    {
        var upload = await NewUploadAsync();
        var big = new byte[2_500_000];
        Random.Shared.NextBytes(big);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(upload, "trip/day 1/big.bin", big)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(upload, "trip/notes.txt", "hello"u8.ToArray())).StatusCode);
        var duplicate = await PutAsync(upload, "trip/notes.txt", "again"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);

        var sent = await _api.PostAsJsonAsync($"/api/uploads/{upload}/send", new { to = _bob.Id.ToString() });
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var transfer = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transfer");
        Assert.Equal("trip/", transfer.GetProperty("title").GetString());
        var id = Guid.ParseExact(transfer.GetProperty("id").GetString()!, "N");
        var offer = await WaitForOfferAsync(_bob, id);
        Assert.Equal(["trip/day 1/big.bin", "trip/day 1", "trip/notes.txt", "trip"], offer.Files.Select(f => f.Path)); // each folder after its contents
        var inbox = Path.Combine(_work, "inbox");
        await _bob.Node.Files.AcceptAsync(offer, inbox);
        await WaitForStateAsync(_alice.Node.Files.All.Single(t => t.Id == id), TransferState.Completed);

        Assert.Equal(big, await File.ReadAllBytesAsync(Path.Combine(inbox, "trip", "day 1", "big.bin")));
        await Wait.UntilAsync(() => !Directory.Exists(Path.Combine(OutboxRoot, upload)), "the staged upload to be removed");
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/etc/escape.txt")]
    [InlineData("a//b.txt")]
    [InlineData("./a.txt")]
    [InlineData("a/b.txt.parley-upload")]
    [InlineData("bell\u0007.txt")]
    public async Task PathsThatCouldLeaveTheUpload_AreRefused(string path)
    {
        var upload = await NewUploadAsync();
        var response = await PutAsync(upload, path, "x"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a relative path", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(OutboxRoot, upload)));
        Assert.False(File.Exists(Path.Combine(_alice.Home, "escape.txt")));
    }

    [Fact]
    public async Task UnknownUpload_IsRefused_AndAnAbandonedOne_IsClearedAtStart()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync("0123456789abcdef0123456789abcdef", "a.txt", [1])).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync("not-an-upload", "a.txt", [1])).StatusCode);
        var upload = await NewUploadAsync();
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(upload, "left.txt", [1, 2, 3])).StatusCode);
        _api.Dispose();
        await _alice.RestartAsync();
        _api = new HttpClient { BaseAddress = _alice.Node.ApiUrl };
        Assert.False(Directory.Exists(Path.Combine(OutboxRoot, upload)));
    }
}
