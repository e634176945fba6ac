using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Parley.Core.Identity;

/// <summary>
/// A device's identity: SHA-256 of its certificate's SubjectPublicKeyInfo. Shown as 52 base32
/// characters in dash-separated groups of four; parsing accepts any case, with or without dashes.
/// </summary>
public readonly struct DeviceId : IEquatable<DeviceId>, IComparable<DeviceId>
{
    public const int Size = 32;
    public const int TextLength = 52;
    private const int GroupLength = 4;
    private readonly byte[]? _bytes;

    public DeviceId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A device ID is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }
        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Bytes => _bytes ?? new byte[Size];

    public bool IsEmpty => _bytes is null;

    public static DeviceId FromCertificate(X509Certificate2 certificate) =>
        new(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>The ID without dashes: what prefixes are matched against.</summary>
    public string Compact => Base32.Encode(Bytes);

    /// <summary>The first group, enough to tell peers apart in logs.</summary>
    public string Short => Compact[..7];

    public override string ToString()
    {
        var compact = Compact;
        return string.Join('-', Enumerable.Range(0, (compact.Length + GroupLength - 1) / GroupLength)
            .Select(i => compact.Substring(i * GroupLength, Math.Min(GroupLength, compact.Length - i * GroupLength))));
    }

    /// <summary>Removes dashes and spaces and upper-cases, for comparing typed IDs and prefixes.</summary>
    public static string Normalize(string text) =>
        new(text.Where(c => c != '-' && c != ' ').Select(char.ToUpperInvariant).ToArray());

    public static bool TryParse(string? text, out DeviceId id)
    {
        id = default;
        if (text is null)
        {
            return false;
        }
        var compact = Normalize(text);
        if (compact.Length != TextLength)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Size + 1];
        if (!Base32.TryDecode(compact, bytes, out var written) || written != Size)
        {
            return false;
        }
        id = new DeviceId(bytes[..Size]);
        return id.Compact == compact;
    }

    public static DeviceId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a device ID (52 base32 characters).");

    public bool Equals(DeviceId other) => Bytes.SequenceEqual(other.Bytes);

    public override bool Equals(object? obj) => obj is DeviceId other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(Bytes[..4]);

    public int CompareTo(DeviceId other) => Bytes.SequenceCompareTo(other.Bytes);

    public static bool operator ==(DeviceId left, DeviceId right) => left.Equals(right);

    public static bool operator !=(DeviceId left, DeviceId right) => !left.Equals(right);
}
