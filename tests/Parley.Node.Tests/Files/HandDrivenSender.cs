using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Files;

namespace Parley.Node.Tests.Files;

/// <summary>
/// A contact of the node under test whose side of the link the test drives frame by frame, to send
/// what a real sender never would (or to send honestly, at its own pace). The node auto-accepts its
/// offers into <see cref="Inbox"/>.
/// </summary>
internal sealed class HandDrivenSender : IAsyncDisposable
{
    private readonly NodeIdentity _identity = NodeIdentity.CreateEphemeral();
    private readonly List<(FrameType Type, byte[] Payload)> _heard = [];
    private PeerLink _link = null!;

    private HandDrivenSender(TestNode receiver, string inbox)
    {
        Receiver = receiver;
        Inbox = inbox;
    }

    public TestNode Receiver { get; }

    public string Inbox { get; }

    public PeerLink Link => _link;

    public static async Task<HandDrivenSender> ConnectAsync(TestNode receiver, string inbox)
    {
        var sender = new HandDrivenSender(receiver, inbox);
        var id = sender._identity.DeviceId;
        await receiver.Node.Links.MakeContactAsync(id);
        await receiver.Node.Files.SetAutoAcceptAsync(id, true);
        await receiver.Node.Files.SetDownloadFolderAsync(inbox);
        sender._link = await new LinkEstablisher(sender._identity, new LinkOptions(), NullLoggerFactory.Instance).ConnectAsync(
            IPEndPoint.Parse(receiver.Address), receiver.Id,
            _ => new Hello(Hello.CurrentVersion, id, 0, 0, HelloFlags.Contact, "hand-driven"), CancellationToken.None);
        sender._link.Start((_, frame) =>
        {
            lock (sender._heard)
            {
                sender._heard.Add((frame.Type, frame.Payload.ToArray()));
            }
            return ValueTask.CompletedTask;
        });
        await Wait.UntilAsync(() => receiver.Node.Links.Session(id)?.IsOpen == true);
        return sender;
    }

    /// <summary>Offers the files and waits until the receiver (auto-accepting) asks for the data.</summary>
    public async Task<Transfer> OfferAsync(params OfferEntry[] files)
    {
        var id = Guid.NewGuid();
        _link.TrySend(FrameType.FileOffer, new FileOffer(id, files).ToArray());
        var transfer = await TransferTestKit.WaitForOfferAsync(Receiver, id);
        await Wait.UntilAsync(() => Heard(FrameType.FileRequest).Count > 0, "the receiver to ask for the data");
        return transfer;
    }

    public List<byte[]> Heard(FrameType type)
    {
        lock (_heard)
        {
            return [.. _heard.Where(f => f.Type == type).Select(f => f.Payload)];
        }
    }

    public static byte[] Block(Guid offer, int index, long offset, ReadOnlySpan<byte> data, byte[]? claimedHash = null)
    {
        var payload = new byte[FileBlockHeader.Size + data.Length];
        new FileBlockHeader(offer, index, offset, claimedHash ?? SHA256.HashData(data)).Write(payload);
        data.CopyTo(payload.AsSpan(FileBlockHeader.Size));
        return payload;
    }

    /// <summary>Sends <paramref name="content"/> from <paramref name="offset"/> as an honest sender would, then its end.</summary>
    public async Task SendHonestlyAsync(Guid offer, byte[] content, long offset = 0)
    {
        using var digest = new FileDigest();
        for (long position = 0; position < content.Length; position += FileBlock.MaxData)
        {
            var block = content.AsSpan((int)position, (int)Math.Min(FileBlock.MaxData, content.Length - position));
            digest.AddBlock(SHA256.HashData(block));
            if (position >= offset)
            {
                await _link.SendBulkAsync(FrameType.FileBlock, Block(offer, 0, position, block));
            }
        }
        await _link.SendBulkAsync(FrameType.FileEnd, new FileEnd(offer, 0, digest.Finish()).ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _link.DisposeAsync();
        _identity.Dispose();
    }
}
