using System.Text;
using Parley.Core.Protocol;
using Parley.Node.Api;

namespace Parley.Node.Contacts;

/// <summary>The rule for a name a user gives (ours or an alias): what a hello can carry, and no control characters.</summary>
internal static class DisplayNames
{
    public static string Validate(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0 || Encoding.UTF8.GetByteCount(trimmed) > ProtocolLimits.MaxNameBytes || trimmed.Any(char.IsControl))
        {
            throw new ApiRequestException($"a name is 1 to {ProtocolLimits.MaxNameBytes} bytes of text without control characters");
        }
        return trimmed;
    }
}
