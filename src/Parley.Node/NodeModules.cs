using Parley.Node.Api;
using Parley.Node.Attachments;
using Parley.Node.Calls;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Discovery;
using Parley.Node.Files;
using Parley.Node.Hub;
using Parley.Node.Links;
using Parley.Node.Rooms;
using Parley.Node.Traversal;
using Parley.Node.Videos;

namespace Parley.Node;

/// <summary>
/// Every feature of the node, in start order (services start in this order and stop in reverse).
/// A new feature is one line here plus its own folder. Links start after the features that load
/// state from the store and before those that need the peer port (calls, discovery, the hub).
/// </summary>
internal static class NodeModules
{
    public static IReadOnlyList<INodeModule> All { get; } =
    [
        new ContactsModule(),
        new ChatModule(),
        new FilesModule(),
        new VideosModule(),
        new LinksModule(),
        new TraversalModule(),
        new CallsModule(),
        new DiscoveryModule(),
        new HubModule(),
        new RoomsModule(),
        new AttachmentsModule(),
        new Attachments.Voice.VoiceModule(),
        new RoomCalls.RoomCallsModule(),
        new ApiModule(),
    ];
}
