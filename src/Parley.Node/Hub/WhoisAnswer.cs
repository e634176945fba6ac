using Parley.Core.Identity;

namespace Parley.Node.Hub;

/// <summary>A directory lookup's answer, with the signature checked here (never trusting the hub).</summary>
internal sealed record WhoisAnswer(DeviceId DeviceId, string Name, bool SignatureValid, bool Online, DateTimeOffset LastSeen, DateTimeOffset IssuedAt,
    byte[] AgreementKey, byte[] IdentityKey);
