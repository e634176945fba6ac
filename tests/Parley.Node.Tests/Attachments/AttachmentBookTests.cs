using Parley.Core.Attachments;
using Parley.Node.Attachments;

namespace Parley.Node.Tests.Attachments;

public sealed class AttachmentBookTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-attachbook-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void Voice_WithDurationAndWaveform_ShowsAsVoice_MalformedOnes_ShowAsPlainFiles()
    {
        var book = new AttachmentBook(new NodeOptions { Home = _home });
        var good = Voice(7000, [10, 200, 255]);
        var noDuration = Voice(0, [10, 20]);
        var longWave = Voice(7000, new byte[200]);
        var endless = Voice(AttachmentRef.MaxDurationMs + 1, [1]);
        foreach (var reference in new[] { good, noDuration, longWave, endless })
        {
            book.Remember(new AttachmentEntry(reference.Id, "#team", false, reference));
        }

        var voice = book.View(book.Find(good.Id)!);
        Assert.Equal(AttachmentKind.Voice, voice.Kind);
        Assert.Equal(7000, voice.DurationMs);
        Assert.Equal([10, 200, 255], voice.Waveform);
        Assert.Equal(AttachmentStates.Remote, voice.State);
        foreach (var bad in new[] { noDuration, longWave, endless })
        {
            var view = book.View(book.Find(bad.Id)!);
            Assert.Equal(AttachmentKind.File, view.Kind);
            Assert.Null(view.Waveform);
            Assert.Null(view.DurationMs);
        }
    }

    [Fact]
    public void References_AreKeptAcrossRestarts_OwnerOnly_AndFoundByAUniquePrefix()
    {
        var reference = Voice(1000, [1]);
        new AttachmentBook(new NodeOptions { Home = _home }).Remember(new AttachmentEntry(reference.Id, "#team", true, reference));

        var again = new AttachmentBook(new NodeOptions { Home = _home });
        var entry = again.Find(reference.Id);
        Assert.NotNull(entry);
        Assert.True(entry.Outgoing);
        Assert.Equal(reference.Key, entry.Ref.Key);
        Assert.Same(entry, again.FindByPrefix(reference.Id.ToString()[..13]));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(again.Refs, reference.Id.ToString("N"))));
        }
    }

    [Fact]
    public void Start_AfterACrash_DeletesHalfFetchedCopies_AndDecryptedLeftovers_KeepingWholeCiphertexts()
    {
        var blobs = new AttachmentBook(new NodeOptions { Home = _home }).Blobs;
        var whole = Path.Combine(blobs, new string('a', 64));
        File.WriteAllBytes(whole, [1]);
        // A fetch's .part, a link push's .link-, and the plaintext a content request decrypts (DeleteOnClose goes only with the process alive).
        foreach (var leftover in new[] { whole + ".part", whole + ".link-0a1b2c3d", Path.Combine(blobs, "plain-" + Guid.NewGuid().ToString("N") + ".tmp") })
        {
            File.WriteAllBytes(leftover, new byte[1000]);
        }

        _ = new AttachmentBook(new NodeOptions { Home = _home });

        Assert.Equal([whole], Directory.GetFiles(blobs));
    }

    private static AttachmentRef Voice(uint durationMs, byte[] waveform) => new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, AttachmentRef.VoiceKind, 5000,
        new byte[32], new byte[32], Enumerable.Repeat((byte)7, 32).ToArray(), durationMs, "voice.ogg", "audio/ogg", waveform, [], "");
}
