using System.Security.Cryptography;
using Parley.Core.Attachments;
using Parley.Core.Protocol;
using Parley.Core.Tests;
using Parley.Node.Tests;

namespace Parley.Hub.Tests.Rules;

/// <summary>The hub's attachment blob store: what it keeps, once, and what it refuses, with fake members over a real database and folder.</summary>
public sealed class BlobFeatureTests : WithHubDatabase
{
    private readonly ManualTimeProvider _time = new();

    private HubOptions Options => new() { Home = Home, TimeProvider = _time, BlobMaxBytes = 1 << 20, BlobMaxBytesPerMember = 3 << 18 };

    private string BlobFolder => Path.Combine(Home, "blobs");

    private (BlobFeature Feature, FakeMembers Members) Build()
    {
        var members = new FakeMembers(Options);
        return (new BlobFeature(new BlobStore(Database, Options), new HubRooms(new RoomStore(Database), new RoomPolicyStore(Database)), _time), members);
    }

    [Fact]
    public async Task Upload_WhoseBytesDoNotMatchTheirHash_IsRefused_NothingStays_AndItsQuotaIsFreed()
    {
        var (feature, members) = Build();
        var (alice, link) = members.Join("alice");
        var (bob, _) = members.Join("bob");
        var bytes = RandomNumberGenerator.GetBytes(600_000);
        var wrongId = RandomNumberGenerator.GetBytes(32);

        await UploadAsync(feature, alice, bob, 1, bytes, wrongId);
        var results = link.Received<BlobResult>(FrameType.BlobResult);
        Assert.Equal([BlobStatus.SendBytes, BlobStatus.Refused], results.Select(r => r.Status));
        Assert.Contains("do not match their SHA-256", results[1].Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(BlobFolder));

        // The refused upload's 600 KB no longer count: a real one of the same size fits the 768 KiB quota.
        await UploadAsync(feature, alice, bob, 2, bytes);
        Assert.Equal(BlobStatus.Stored, link.Received<BlobResult>(FrameType.BlobResult)[^1].Status);
        Assert.Single(Directory.GetFiles(BlobFolder));
    }

    [Fact]
    public async Task TheSameCiphertext_PutByAnother_IsStoredOnce_AndNotSentAgain_ButCountsAgainstEachQuota()
    {
        var (feature, members) = Build();
        var (alice, _) = members.Join("alice");
        var (carol, carolLink) = members.Join("carol");
        var (bob, _) = members.Join("bob");
        var bytes = RandomNumberGenerator.GetBytes(500_000);
        await UploadAsync(feature, alice, bob, 1, bytes);

        await feature.OnFrameAsync(carol, FakeMembers.FrameOf(FrameType.BlobPut, new BlobPut(9, SHA256.HashData(bytes), bytes.Length, null, bob.Id)));
        Assert.Equal(new BlobResult(9, BlobStatus.Stored, ""), carolLink.Received<BlobResult>(FrameType.BlobResult).Single());
        Assert.Single(Directory.GetFiles(BlobFolder));

        // alice's 768 KiB quota: 500 KB held, another 500 KB refused with the reason, the first untouched.
        var more = RandomNumberGenerator.GetBytes(500_000);
        var (_, aliceLink) = (alice, (FakeLink)alice.Link);
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.BlobPut, new BlobPut(3, SHA256.HashData(more), more.Length, null, bob.Id)));
        var refusal = aliceLink.Received<BlobResult>(FrameType.BlobResult)[^1];
        Assert.Equal(BlobStatus.Refused, refusal.Status);
        Assert.Contains("over your quota", refusal.Reason, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(Directory.GetFiles(BlobFolder).Single()));
    }

    [Fact]
    public async Task Puts_ForARoomYouAreNotIn_OrOverTheCap_AreRefused_ChunksOutOfOrder_EndTheUpload()
    {
        var (feature, members) = Build();
        var (alice, link) = members.Join("alice");
        var (bob, _) = members.Join("bob");
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.BlobPut, new BlobPut(1, new byte[32], 10, "team", null)));
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.BlobPut, new BlobPut(2, new byte[32], 2 << 20, null, bob.Id)));
        var bytes = RandomNumberGenerator.GetBytes(1000);
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.BlobPut, new BlobPut(3, SHA256.HashData(bytes), bytes.Length, null, bob.Id)));
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.BlobChunk, new BlobChunk(3, 10, bytes.AsMemory(10))));

        var results = link.Received<BlobResult>(FrameType.BlobResult);
        Assert.Contains("you are not in #team", results[0].Reason, StringComparison.Ordinal);
        Assert.Contains("over this hub's cap", results[1].Reason, StringComparison.Ordinal);
        Assert.Equal(BlobStatus.SendBytes, results[2].Status);
        Assert.Contains("out of order", results[3].Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(BlobFolder));
    }

    [Fact]
    public async Task Get_GivesTheStoredBytesInOrder_AndAnUnknownBlobAnError()
    {
        var (feature, members) = Build();
        var (alice, _) = members.Join("alice");
        var (bob, bobLink) = members.Join("bob");
        var bytes = RandomNumberGenerator.GetBytes(700_000);
        await UploadAsync(feature, alice, bob, 1, bytes);

        await feature.OnFrameAsync(bob, FakeMembers.FrameOf(FrameType.BlobGet, new BlobGet(5, SHA256.HashData(bytes), 0)));
        await feature.OnFrameAsync(bob, FakeMembers.FrameOf(FrameType.BlobGet, new BlobGet(6, new byte[32], 0)));
        await Wait.UntilAsync(() => bobLink.Sent.Count(f => f.Type == FrameType.BlobData) == 3 && bobLink.Sent.Any(f => f.Type == FrameType.BlobError), "the answers");

        var data = bobLink.Received<BlobData>(FrameType.BlobData);
        Assert.Equal(bytes, data.SelectMany(d => d.Data.ToArray()).ToArray());
        Assert.Equal(6u, bobLink.Received<BlobError>(FrameType.BlobError).Single().RequestId);
    }

    [Fact]
    public async Task Put_AgainWithAnIdStillUploading_IsRefused_AndLeavesNoSecondFileOrReservation()
    {
        var (feature, members) = Build();
        var (alice, link) = members.Join("alice");
        var (bob, _) = members.Join("bob");
        var bytes = RandomNumberGenerator.GetBytes(100_000);
        var put = new BlobPut(7, SHA256.HashData(bytes), bytes.Length, null, bob.Id);

        // Repeated puts under one ID once replaced the upload: each left an open file, a temporary file and 100 KB reserved.
        for (var i = 0; i < 5; i++)
        {
            await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.BlobPut, put));
        }
        var results = link.Received<BlobResult>(FrameType.BlobResult);
        Assert.Equal(BlobStatus.SendBytes, results[0].Status);
        Assert.All(results.Skip(1), r => Assert.Equal(BlobStatus.Refused, r.Status));
        Assert.Single(Directory.GetFiles(BlobFolder));

        // The first upload goes on and is stored; the refused repeats reserved nothing, so another 600 KB fits the 768 KiB quota.
        for (var offset = 0; offset < bytes.Length; offset += BlobChunk.MaxData)
        {
            await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.BlobChunk, new BlobChunk(7, offset, bytes.AsMemory(offset, Math.Min(BlobChunk.MaxData, bytes.Length - offset)))));
        }
        Assert.Equal(BlobStatus.Stored, link.Received<BlobResult>(FrameType.BlobResult)[^1].Status);
        await UploadAsync(feature, alice, bob, 8, RandomNumberGenerator.GetBytes(600_000));
        Assert.Equal(BlobStatus.Stored, link.Received<BlobResult>(FrameType.BlobResult)[^1].Status);
    }

    [Fact]
    public void Start_AfterACrashMidUpload_DeletesTheLeftoverPartFiles_AndKeepsStoredBlobs()
    {
        Directory.CreateDirectory(BlobFolder);
        var stored = Path.Combine(BlobFolder, Convert.ToHexStringLower(SHA256.HashData([1, 2, 3])));
        File.WriteAllBytes(stored, [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(BlobFolder, Path.GetFileName(stored) + ".part-0a1b2c3d"), new byte[100_000]);

        Build();

        Assert.Equal([stored], Directory.GetFiles(BlobFolder));
    }

    [Fact]
    public async Task Put_OfABlobPastItsRetention_AsksForTheBytesAgain_InsteadOfSayingStored()
    {
        var (feature, members) = Build();
        var (alice, link) = members.Join("alice");
        var (bob, bobLink) = members.Join("bob");
        var bytes = RandomNumberGenerator.GetBytes(1000);
        await UploadAsync(feature, alice, bob, 1, bytes);
        _time.Advance(Options.BlobMaxAge + TimeSpan.FromDays(1));

        // The put finds the file still there, but admitting it prunes the expired blob first: "stored" then named nothing.
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.BlobPut, new BlobPut(2, SHA256.HashData(bytes), bytes.Length, null, bob.Id)));
        Assert.Equal(BlobStatus.SendBytes, link.Received<BlobResult>(FrameType.BlobResult)[^1].Status);
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.BlobChunk, new BlobChunk(2, 0, bytes)));
        Assert.Equal(BlobStatus.Stored, link.Received<BlobResult>(FrameType.BlobResult)[^1].Status);

        await feature.OnFrameAsync(bob, FakeMembers.FrameOf(FrameType.BlobGet, new BlobGet(5, SHA256.HashData(bytes), 0)));
        await Wait.UntilAsync(() => bobLink.Sent.Any(f => f.Type is FrameType.BlobData or FrameType.BlobError), "the answer");
        Assert.Equal(bytes, bobLink.Received<BlobData>(FrameType.BlobData).Single().Data.ToArray());
    }

    private static async Task UploadAsync(BlobFeature feature, Member from, Member to, uint putId, byte[] bytes, byte[]? claimedId = null)
    {
        await feature.OnFrameAsync(from, FakeMembers.FrameOf(FrameType.BlobPut, new BlobPut(putId, claimedId ?? SHA256.HashData(bytes), bytes.Length, null, to.Id)));
        for (var offset = 0; offset < bytes.Length; offset += BlobChunk.MaxData)
        {
            await feature.OnFrameAsync(from, FakeMembers.FrameOf(FrameType.BlobChunk, new BlobChunk(putId, offset, bytes.AsMemory(offset, Math.Min(BlobChunk.MaxData, bytes.Length - offset)))));
        }
    }
}
