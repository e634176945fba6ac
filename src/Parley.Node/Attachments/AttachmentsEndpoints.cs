using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Parley.Core.Attachments;
using Parley.Core.Identity;
using Parley.Node.Api;
using Parley.Node.Chat;

namespace Parley.Node.Attachments;

/// <summary>
/// Routes of attachments (same auth as /api/chat): send one (multipart), its sender's preview, its
/// content (decrypted and checked; fetched first if need be), save it to disk. Nothing the node serves
/// from an attachment can run in the page: the MIME is never HTML or script, and every answer carries
/// <c>Content-Security-Policy: sandbox</c> and <c>nosniff</c>.
/// </summary>
internal static class AttachmentsEndpoints
{
    /// <summary>Largest multipart request for an attachment: the attachment cap and room for its preview and fields. 65 MiB.</summary>
    public const long MaxRequestBytes = AttachmentService.MaxBytes + (1L << 20);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/attachments/{conversation}", async (HttpContext context, string conversation, AttachmentService service, AttachmentBook book) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxRequestBytes;
            }
            var form = await context.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxRequestBytes }, context.RequestAborted).ConfigureAwait(false);
            var file = form.Files.GetFile("file") ?? throw new ApiRequestException("give the attachment as the multipart field 'file'");
            var temp = Path.Combine(book.Blobs, "in-" + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                await using (var output = OwnerOnly.CreateFile(temp, useAsync: true))
                {
                    await file.CopyToAsync(output, context.RequestAborted).ConfigureAwait(false);
                }
                var draft = new AttachmentDraft(ParseKind(form["kind"]), file.FileName, file.ContentType ?? "", temp,
                    await PreviewAsync(form.Files.GetFile("preview"), context.RequestAborted).ConfigureAwait(false),
                    ParseWaveform(form["waveform"]), int.TryParse(form["durationMs"], out var ms) ? ms : null, form["caption"].FirstOrDefault());
                return Results.Ok(await service.SendAsync(conversation, draft, context.RequestAborted).ConfigureAwait(false));
            }
            finally
            {
                File.Delete(temp);
            }
        }).DisableAntiforgery();
        api.MapGet("/attachments/{messageId}/preview", (HttpContext context, Guid messageId, AttachmentBook book) =>
        {
            var entry = Find(book, messageId);
            if (entry.Ref.Preview.Length == 0)
            {
                return Results.NotFound();
            }
            Harden(context);
            return Results.Bytes(entry.Ref.Preview, "image/jpeg");
        });
        api.MapGet("/attachments/{messageId}/content", async (HttpContext context, Guid messageId, AttachmentBook book, AttachmentService service) =>
        {
            var entry = Find(book, messageId);
            var cipher = await service.CiphertextAsync(entry, context.RequestAborted).ConfigureAwait(false);
            // Decrypted into a file that goes when the response is done: ranges (the page seeks in voice messages) are served from it.
            var temp = Path.Combine(book.Blobs, "plain-" + Guid.NewGuid().ToString("N") + ".tmp");
            if (await AttachmentCipher.TryDecryptAsync(cipher, temp, entry.Ref, context.RequestAborted).ConfigureAwait(false) is { } error)
            {
                throw new ChatException(error);
            }
            var stream = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            Harden(context);
            return Results.File(stream, SafeMime(entry.Ref.Mime), enableRangeProcessing: true);
        });
        api.MapPost("/attachments/{messageId}/save", async (Guid messageId, SaveAttachmentRequest? body, AttachmentBook book, AttachmentService service, CancellationToken ct) =>
            new SavedAttachment(await service.SaveAsync(Find(book, messageId), string.IsNullOrWhiteSpace(body?.Path) ? null : body.Path, ct).ConfigureAwait(false)));
        // The CLI names a message by the start of its ID.
        api.MapGet("/attachments/find/{prefix}", (string prefix, AttachmentBook book) =>
            book.FindByPrefix(prefix) is { } entry ? Results.Ok(new { id = entry.MessageId, attachment = book.View(entry) })
                : throw new ApiRequestException($"no single attachment's message ID starts with '{prefix}'"));
    }

    private static AttachmentEntry Find(AttachmentBook book, Guid messageId) =>
        book.Find(messageId) ?? throw new ApiRequestException($"message {messageId} has no attachment here");

    private static void Harden(HttpContext context)
    {
        context.Response.Headers[HeaderNames.ContentSecurityPolicy] = "sandbox";
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
    }

    /// <summary>The sender's MIME when it is a plain type/subtype and nothing a browser would run or render as a page; else application/octet-stream.</summary>
    public static string SafeMime(string mime)
    {
        var lower = mime.Trim().ToLowerInvariant();
        var parts = lower.Split('/');
        var plain = parts.Length == 2 && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '+' or '.'));
        var active = lower.Contains("html", StringComparison.Ordinal) || lower.Contains("xml", StringComparison.Ordinal)
            || lower.Contains("script", StringComparison.Ordinal) || lower.StartsWith("text/", StringComparison.Ordinal) || lower.Contains("svg", StringComparison.Ordinal);
        return plain && !active ? lower : "application/octet-stream";
    }

    private static AttachmentKind ParseKind(string? kind) => kind?.ToLowerInvariant() switch
    {
        null or "" or "file" => AttachmentKind.File,
        "image" => AttachmentKind.Image,
        "voice" => AttachmentKind.Voice,
        _ => throw new ApiRequestException($"kind is file, image or voice, not '{kind}'"),
    };

    private static int[]? ParseWaveform(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var values = text.Split(',', StringSplitOptions.TrimEntries);
        return values.Length <= AttachmentRef.MaxWaveform && values.All(v => int.TryParse(v, out var n) && n is >= 0 and <= 255)
            ? [.. values.Select(int.Parse)]
            : throw new ApiRequestException($"waveform is at most {AttachmentRef.MaxWaveform} comma-separated values of 0 to 255");
    }

    private static async Task<byte[]?> PreviewAsync(IFormFile? preview, CancellationToken ct)
    {
        if (preview is null)
        {
            return null;
        }
        if (preview.Length > AttachmentRef.MaxPreviewBytes)
        {
            throw new ApiRequestException($"the preview is {preview.Length} bytes; the limit is {AttachmentRef.MaxPreviewBytes} (32 KiB)");
        }
        using var buffer = new MemoryStream();
        await preview.CopyToAsync(buffer, ct).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
