using Parley.Node.Chat;

namespace Parley.Node.Attachments.Voice;

/// <summary>
/// Sends a recording as a voice message: staged in a scratch folder of the home, encoded, then handed
/// to <see cref="IAttachmentSender"/> as kind Voice with its duration and waveform. The scratch files
/// of a send live only as long as the send; any a crash left behind go at the next start.
/// </summary>
internal sealed class VoiceMessages(NodeOptions node, VoiceEncoder encoder, IAttachmentSender sender, TimeProvider clock) : INodeService
{
    public const string Mime = "audio/ogg";

    private readonly string _scratch = Path.Combine(node.Home, "voice-scratch");

    public VoiceOptions Options => encoder.Options;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync() => Task.CompletedTask;

    /// <summary>Encodes <paramref name="recording"/> (read to its end, at most the input cap) and sends it into <paramref name="conversation"/>.</summary>
    public async Task<MessageView> SendAsync(string conversation, Stream recording, VoiceTrim? trim, CancellationToken ct)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_scratch, Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var input = Path.Combine(folder, "recording");
            await CopyBoundedAsync(recording, input, ct).ConfigureAwait(false);
            var voice = await encoder.EncodeAsync(input, Path.Combine(folder, "voice.ogg"), trim, ct).ConfigureAwait(false);
            var name = $"voice-{clock.GetLocalNow():yyyyMMdd-HHmmss}.ogg";
            var draft = new AttachmentDraft(AttachmentKind.Voice, name, Mime, voice.Path, Preview: null, voice.Waveform, voice.DurationMs, Caption: null);
            return await sender.SendAsync(conversation, draft, ct).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task CopyBoundedAsync(Stream source, string path, CancellationToken ct)
    {
        var file = File.Create(path);
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (file.Length + read > encoder.Options.MaxInputBytes)
                {
                    throw new VoiceEncodingException($"the recording is larger than {encoder.Options.MaxInputBytes:N0} bytes", 413);
                }
                await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
        }
    }
}
