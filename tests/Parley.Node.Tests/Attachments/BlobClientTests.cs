using System.Buffers;
using System.Security.Cryptography;
using Parley.Core.Attachments;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Tests;
using Parley.Node.Attachments;
using Parley.Node.Hub;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Attachments;

/// <summary>The node's side of a blob fetch, with the hub played by a test that answers as a hostile one would.</summary>
public sealed class BlobClientTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-blobclient-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Download_WhereTheHubSendsMoreThanTheReferenceNames_StopsAtOnce_AndLeavesNoFile()
    {
        var hub = new FakePeerLink(new DeviceId(RandomNumberGenerator.GetBytes(DeviceId.Size)), "hub");
        var client = new BlobClient(new LinkedChannel(hub), new ManualTimeProvider());
        var target = Path.Combine(_home, "blob.part");
        var chunk = new byte[BlobChunk.MaxData];
        var download = client.DownloadAsync(new byte[32], 1000, target, CancellationToken.None);

        // The hub claims a blob of 1 GiB where the reference names 1,000 bytes, and keeps sending.
        var get = hub.SentOf<BlobGet>(FrameType.BlobGet).Single();
        for (var i = 0; i < 8; i++)
        {
            var data = new BlobData(get.RequestId, (long)i * chunk.Length, 1L << 30, chunk);
            await client.OnFrameAsync(hub, new Frame(FrameType.BlobData, 0, new ReadOnlySequence<byte>(data.ToArray())));
        }
        var error = await download.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(error);
        Assert.Contains("more of the attachment than the 1000 bytes", error, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    private sealed class LinkedChannel(IPeerLink link) : IHubChannel
    {
        public Invite? Hub => null;

        public bool Connected => true;

        public bool TrySend<T>(FrameType type, T message) where T : IWireMessage<T> => link.TrySend(type, message.ToArray());

        public IPeerLink RequireLink() => link;
    }
}
