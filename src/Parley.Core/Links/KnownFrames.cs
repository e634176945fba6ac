using Parley.Core.Calls;
using Parley.Core.Chat;
using Parley.Core.Files;
using Parley.Core.Hub;
using Parley.Core.Protocol;
using Parley.Core.Videos;

namespace Parley.Core.Links;

/// <summary>
/// Every frame type of the protocol with its cap, gathered from each feature's own list
/// (docs/protocol.md has the same table). Links that are not told otherwise take all of them; tests
/// and the fuzzer enumerate them; a node's router and the hub build narrower tables from the features
/// they run. It lives with the links because they need the protocol's frames and no feature's
/// messages need links: anywhere else it would close a namespace cycle.
/// </summary>
public static class KnownFrames
{
    public static IReadOnlyList<FrameSpec> All { get; } =
        [.. LinkFrames.Specs, .. ChatFrames.Specs, .. Attachments.AttachmentFrames.Link, .. FileFrames.Specs, .. VideoFrames.Specs, .. CallFrames.Specs, .. HubFrames.Specs, .. PathFrames.Specs];

    public static FrameTable Table { get; } = new(All);
}
