using System.Security.Cryptography;

namespace Parley.Node.Calls;

/// <summary>
/// The TURN user and password one call's local page signs its allocation with: a fresh random
/// password per call, told only to the node's own pages through the API, so another program on this
/// machine cannot allocate on the page TURN socket. The user names the call and the side.
/// </summary>
internal sealed record PageTurnCredentials(string Username, string Password)
{
    public static PageTurnCredentials New(uint callId, bool outgoing) =>
        new($"{callId:x8}.{(outgoing ? "caller" : "callee")}", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
}
