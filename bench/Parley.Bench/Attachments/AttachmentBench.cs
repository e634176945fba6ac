using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Attachments;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Testing;

namespace Parley.Bench.Attachments;

/// <summary>
/// A room attachment to many members, measured: one <c>parley hub</c> process, members as lightweight
/// clients (real TLS links and hellos to the hub, no node behind them: 50 <c>parley up</c> processes do
/// not fit on 2 cores). The sender encrypts the file (<see cref="AttachmentCipher"/>), puts the ciphertext
/// into the hub's blob store once and posts a room message naming it; every other member, on reading
/// that entry, fetches the blob, checks its SHA-256 and decrypts it. Reported: bytes the sender uploaded
/// and the hub stored against 50 separate transfers, and the time from the send until every member has it.
/// </summary>
internal static class AttachmentBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var members = Option(args, "--members", 50);
        var mib = Option(args, "--mib", 10);
        var home = Directory.CreateTempSubdirectory("parley-attachbench-").FullName;
        try
        {
            await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(home, "hub"), ["--port", "0"]);
            Invite.TryParse(hub.Invite, out var invite, out _);
            var port = invite!.Addresses[0].Port;
            var clients = new List<Member>();
            for (var i = 0; i < members; i++)
            {
                clients.Add(await Member.ConnectAsync(port, invite.DeviceId, $"m{i}"));
            }
            await clients[0].EnterAsync(RoomOp.Create, "bench");
            foreach (var client in clients.Skip(1))
            {
                await client.EnterAsync(RoomOp.Join, "bench");
            }
            var plain = Path.Combine(home, "file.bin");
            await File.WriteAllBytesAsync(plain, RandomNumberGenerator.GetBytes(mib << 20));
            var key = RandomNumberGenerator.GetBytes(AttachmentRef.KeySize);
            var cipher = Path.Combine(home, "file.cipher");

            var watch = Stopwatch.StartNew();
            var (size, sha, blobId) = await AttachmentCipher.EncryptAsync(plain, cipher, key);
            var reference = new AttachmentRef(Guid.NewGuid(), DateTimeOffset.UtcNow, AttachmentRef.FileKind, size, sha, key, blobId, 0, "file.bin",
                "application/octet-stream", [], [], "");
            foreach (var client in clients.Skip(1))
            {
                client.Expect(reference, Path.Combine(home, client.Name));
            }
            var uploaded = await clients[0].UploadAsync(cipher, blobId, "bench");
            var uploadedAt = watch.Elapsed;
            clients[0].Post("bench", blobId);
            var all = await Task.WhenAll(clients.Skip(1).Select(c => c.Done.Task)).WaitAsync(TimeSpan.FromMinutes(5));
            var everyone = watch.Elapsed;

            var stored = Directory.GetFiles(Path.Combine(home, "hub", "blobs")).Sum(f => new FileInfo(f).Length);
            var ciphertext = new FileInfo(cipher).Length;
            var failed = all.Count(e => e is not null);
            var times = clients.Skip(1).Select(c => c.HadItAt.TotalMilliseconds).Order().ToArray();
            Console.WriteLine($"attachment of {mib} MiB to a room of {members} (1 sender, {members - 1} receivers; lightweight members on one hub process)");
            Console.WriteLine($"sender uploaded {uploaded:N0} bytes ({uploaded / (double)(mib << 20):0.000}x the file); hub stores {stored:N0} bytes in {Directory.GetFiles(Path.Combine(home, "hub", "blobs")).Length} file(s)");
            Console.WriteLine($"50 separate transfers would send {(long)(members - 1) * (mib << 20):N0} bytes from the sender ({members - 1}x); hub egress here {(long)(members - 1) * ciphertext:N0} bytes");
            Console.WriteLine($"encrypt + upload {uploadedAt.TotalMilliseconds:0} ms; every member fetched, checked and decrypted it {everyone.TotalMilliseconds:0} ms after the send "
                + $"(first {times[0]:0} ms, median {times[times.Length / 2]:0} ms); failures {failed}");
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
            return failed == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;

    /// <summary>One lightweight member: a hub link; the sender puts the blob and posts, the others fetch on the entry and decrypt.</summary>
    private sealed class Member(string name)
    {
        private readonly NodeIdentity _identity = NodeIdentity.CreateEphemeral();
        private readonly ConcurrentQueue<byte[]> _replies = new();
        private readonly ConcurrentQueue<BlobResult> _results = new();
        private readonly Stopwatch _since = Stopwatch.StartNew();
        private PeerLink _link = null!;
        private AttachmentRef? _expected;
        private string _folder = "";
        private FileStream? _download;

        public string Name { get; } = name;

        public TaskCompletionSource<string?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TimeSpan HadItAt { get; private set; }

        public static async Task<Member> ConnectAsync(int port, DeviceId hub, string name)
        {
            var member = new Member(name);
            member._link = await new LinkEstablisher(member._identity, new LinkOptions(), NullLoggerFactory.Instance).ConnectAsync(
                new IPEndPoint(IPAddress.Loopback, port), hub,
                _ => new Hello(Hello.CurrentVersion, member._identity.DeviceId, 0, 0, HelloFlags.None, name), CancellationToken.None);
            member._link.Start((_, frame) =>
            {
                member.OnFrame(frame);
                return ValueTask.CompletedTask;
            });
            return member;
        }

        public async Task EnterAsync(RoomOp op, string room)
        {
            var command = op == RoomOp.Create ? RoomCommand.Of(1, op, room, RoomPolicy.First(_identity, room, isPublic: true).ToArray()) : new RoomCommand(1, op, room);
            _link.TrySend(FrameType.RoomCommand, command.ToArray());
            byte[]? reply;
            while (!_replies.TryDequeue(out reply))
            {
                await Task.Delay(5);
            }
            if (WireMessage.TryRead<RoomMembersReply>(reply, out var answer, out _) && answer.Error is { } error)
            {
                throw new InvalidOperationException($"{op} #{room}: {error}");
            }
            _link.TrySend(FrameType.RoomSync, new RoomPosition(room, 0).ToArray());
        }

        public void Expect(AttachmentRef reference, string folder)
        {
            _expected = reference;
            _folder = Directory.CreateDirectory(folder).FullName;
            _since.Restart();
        }

        /// <summary>Puts the ciphertext (as a node's BlobClient does); returns the bytes of ciphertext sent.</summary>
        public async Task<long> UploadAsync(string path, byte[] blobId, string room)
        {
            var bytes = await File.ReadAllBytesAsync(path);
            _link.TrySend(FrameType.BlobPut, new BlobPut(1, blobId, bytes.Length, room, null).ToArray());
            var answer = await NextResultAsync();
            if (answer.Status != BlobStatus.SendBytes)
            {
                throw new InvalidOperationException($"the hub answered the put with {answer.Status}: {answer.Reason}");
            }
            long sent = 0;
            for (var offset = 0; offset < bytes.Length; offset += BlobChunk.MaxData)
            {
                var chunk = bytes.AsMemory(offset, Math.Min(BlobChunk.MaxData, bytes.Length - offset));
                await _link.SendBulkAsync(FrameType.BlobChunk, new BlobChunk(1, offset, chunk).ToArray());
                sent += chunk.Length;
            }
            var stored = await NextResultAsync();
            return stored.Status == BlobStatus.Stored ? sent : throw new InvalidOperationException($"not stored: {stored.Reason}");
        }

        /// <summary>Posts a room message naming the blob (opaque to the hub; a node's would be the sealed reference).</summary>
        public void Post(string room, byte[] blobId)
        {
            var sealedMessage = new SealedRoomMessage(1, 1, new byte[SealedRoomMessage.TagSize], blobId, new byte[64]).ToArray();
            _link.TrySend(FrameType.RoomMessage, new RoomMessage(1, room, _identity.DeviceId, sealedMessage).ToArray());
        }

        private async Task<BlobResult> NextResultAsync()
        {
            BlobResult? result;
            while (!_results.TryDequeue(out result))
            {
                await Task.Delay(1);
            }
            return result;
        }

        private void OnFrame(Frame frame)
        {
            switch (frame.Type)
            {
                case FrameType.RoomReply:
                    _replies.Enqueue(frame.Payload.ToArray());
                    break;
                case FrameType.BlobResult:
                    _results.Enqueue(frame.Read<BlobResult>());
                    break;
                case FrameType.RoomEntry when RoomEntry.TryRead(frame.Payload, out var entry, out _)
                    && entry.Kind == RoomEntryKind.Message && entry.Sender != _identity.DeviceId && _expected is { } expected && _download is null:
                    _download = new FileStream(Path.Combine(_folder, "cipher"), FileMode.Create);
                    _link.TrySend(FrameType.BlobGet, new BlobGet(7, expected.BlobId, 0).ToArray());
                    break;
                case FrameType.BlobData:
                    var data = frame.Read<BlobData>();
                    _download!.Write(data.Data.Span);
                    if (data.Offset + data.Data.Length == data.Total)
                    {
                        _download.Dispose();
                        _ = FinishAsync();
                    }
                    break;
                case FrameType.BlobError:
                    Done.TrySetResult(frame.Read<BlobError>().Reason);
                    break;
            }
        }

        private async Task FinishAsync()
        {
            var cipher = Path.Combine(_folder, "cipher");
            await using (var file = File.OpenRead(cipher))
            {
                if (!SHA256.HashData(file).AsSpan().SequenceEqual(_expected!.BlobId))
                {
                    Done.TrySetResult("ciphertext SHA-256 differs");
                    return;
                }
            }
            var error = await AttachmentCipher.TryDecryptAsync(cipher, Path.Combine(_folder, "plain"), _expected);
            HadItAt = _since.Elapsed;
            Done.TrySetResult(error);
        }

        public ValueTask DisposeAsync() => _link.DisposeAsync();
    }
}
