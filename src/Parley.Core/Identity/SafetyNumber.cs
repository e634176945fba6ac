using System.Security.Cryptography;
using System.Text;

namespace Parley.Core.Identity;

/// <summary>
/// A short digest of two device IDs that both people compute alike, to compare aloud: if the
/// numbers match, neither link was intercepted. Order-independent: the IDs are sorted first.
/// </summary>
public static class SafetyNumber
{
    private const int Groups = 6;
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("parley-safety-number-v1");

    public static string Compute(DeviceId a, DeviceId b)
    {
        var (first, second) = a.CompareTo(b) <= 0 ? (a, b) : (b, a);
        var input = Domain.Concat(first.Bytes.ToArray()).Concat(second.Bytes.ToArray()).ToArray();
        // Iterated so that searching for a colliding key pair costs more than one hash per try.
        var digest = input;
        for (var i = 0; i < 1024; i++)
        {
            digest = SHA256.HashData(digest.Concat(input).ToArray());
        }
        var parts = new string[Groups];
        for (var i = 0; i < Groups; i++)
        {
            var chunk = ((ulong)digest[i * 5] << 32) | ((ulong)digest[i * 5 + 1] << 24) | ((ulong)digest[i * 5 + 2] << 16)
                | ((ulong)digest[i * 5 + 3] << 8) | digest[i * 5 + 4];
            parts[i] = (chunk % 100000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
        }
        return string.Join(' ', parts);
    }
}
