using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.StaticFiles;
using Parley.Node.Attachments;
using Parley.Node.Chat;

namespace Parley.Cli.Verbs;

/// <summary>
/// <c>parley attach &lt;peer|#room&gt; FILE [--caption T]</c>: sends a file as an attachment in the conversation.
/// An image gets a preview of at most 320 px, made with ffmpeg when it is on PATH (the receiver never decodes the image).
/// </summary>
internal sealed class AttachVerb : IVerb
{
    public string Name => "attach";

    public string Arguments => "<peer|#room> <file> [--caption TEXT] [--json]";

    public string Summary => "send a file, image or recording as an attachment in a chat or a room (through the hub, encrypted end to end)";

    public IReadOnlyCollection<string> ValuedOptions => ["--caption"];

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(2, 2);
        var path = Path.GetFullPath(context.Args.Positional[1]);
        if (!File.Exists(path))
        {
            throw new CliException($"no file at {TerminalText.Safe(path)}");
        }
        var mime = new FileExtensionContentTypeProvider().TryGetContentType(path, out var known) ? known : "application/octet-stream";
        var isImage = mime.StartsWith("image/", StringComparison.Ordinal);
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(File.OpenRead(path));
        file.Headers.ContentType = new MediaTypeHeaderValue(mime);
        form.Add(file, "file", Path.GetFileName(path));
        form.Add(new StringContent(isImage ? "image" : "file"), "kind");
        if (context.Args.Value("--caption") is { } caption)
        {
            form.Add(new StringContent(caption), "caption");
        }
        if (isImage && await PreviewAsync(path).ConfigureAwait(false) is { } preview)
        {
            var content = new ByteArrayContent(preview);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(content, "preview", "preview.jpg");
        }
        using var api = context.Api();
        var sent = await api.PostAsync<MessageView>($"api/attachments/{ApiClient.Segment(context.Args.Positional[0])}", form).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(sent);
        }
        else
        {
            context.Out.WriteLine($"sent {MessageText.Describe(sent.Attachment!)} as {sent.Id.ToString("N")[..8]}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>A JPEG of at most 320 px and 32 KiB made by ffmpeg, or null (no ffmpeg, not an image it reads, too large).</summary>
    private static async Task<byte[]?> PreviewAsync(string image)
    {
        var output = Path.Combine(Path.GetTempPath(), "parley-preview-" + Guid.NewGuid().ToString("N") + ".jpg");
        try
        {
            var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-nostdin", "-v", "error", "-i", image, "-frames:v", "1", "-vf", "scale='min(320,iw)':'min(320,ih)':force_original_aspect_ratio=decrease", "-q:v", "6", output })
            {
                start.ArgumentList.Add(arg);
            }
            using var ffmpeg = Process.Start(start);
            if (ffmpeg is null)
            {
                return null;
            }
            _ = ffmpeg.StandardOutput.ReadToEndAsync();
            _ = ffmpeg.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await ffmpeg.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return ffmpeg.ExitCode == 0 && new FileInfo(output) is { Exists: true, Length: > 0 and <= 32 * 1024 } ? await File.ReadAllBytesAsync(output).ConfigureAwait(false) : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException or IOException)
        {
            return null; // no ffmpeg on PATH, or it hung: the attachment goes without a preview
        }
        finally
        {
            File.Delete(output);
        }
    }
}

/// <summary><c>parley save &lt;message-id or unique prefix&gt; [PATH]</c>: writes an attachment to disk, checked against its SHA-256.</summary>
internal sealed class SaveVerb : IVerb
{
    public string Name => "save";

    public string Arguments => "<message-id or unique prefix> [path] [--json]";

    public string Summary => "save a message's attachment (fetched from the hub if need be, checked against its SHA-256) to a folder or file";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    private sealed record Found(Guid Id, AttachmentView Attachment);

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 2);
        using var api = context.Api();
        var found = await api.GetAsync<Found>($"api/attachments/find/{ApiClient.Segment(context.Args.Positional[0])}").ConfigureAwait(false);
        var path = context.Args.Positional.Count == 2 ? Path.GetFullPath(context.Args.Positional[1]) : null;
        var saved = await api.PostAsync<SavedAttachment>($"api/attachments/{found.Id}/save", new SaveAttachmentRequest(path)).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(saved);
        }
        else
        {
            context.Out.WriteLine($"saved {MessageText.Describe(found.Attachment)} to {TerminalText.Safe(saved.Path)}");
        }
        return ExitCodes.Ok;
    }
}
