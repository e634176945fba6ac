using System.Text;
using System.Text.Json;
using Xunit;

namespace Parley.Testing;

/// <summary>Files to attach that would show a plaintext copy anywhere, and waiting for an attachment to show at a member.</summary>
internal static class AttachmentFiles
{
    /// <summary>Random bytes with the marker in plain text every 64 KiB, so a plaintext copy anywhere would show.</summary>
    public static void WriteMarked(string path, int size, string marker)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        var mark = Encoding.UTF8.GetBytes(marker);
        for (var at = 0; at + mark.Length <= size; at += 64 * 1024)
        {
            mark.CopyTo(bytes, at);
        }
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>The files under <paramref name="folder"/> that hold <paramref name="marker"/> in UTF-8.</summary>
    public static List<string> FilesContaining(string folder, string marker)
    {
        var utf8 = Encoding.UTF8.GetBytes(marker);
        return [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes.AsSpan().IndexOf(utf8) >= 0;
        })];
    }

    /// <summary>The attachment's entry in <paramref name="node"/>'s history of <paramref name="conversation"/>, once it shows (30 s at most).</summary>
    public static async Task<JsonElement> WaitForAsync(ClusterNode node, string conversation, string id)
    {
        JsonElement found = default;
        var arrived = await RoomCluster.WaitAsync(async () =>
        {
            var history = (await node.CliAsync("history", conversation, "--json")).Json;
            foreach (var message in history.EnumerateArray())
            {
                if (message.GetProperty("id").GetString() == id && message.TryGetProperty("attachment", out var attachment))
                {
                    found = attachment;
                    return true;
                }
            }
            return false;
        }, TimeSpan.FromSeconds(30));
        Assert.True(arrived, $"{node.Name} never showed attachment {id} in {conversation}:\n{node.Output}");
        return found;
    }
}
