using Parley.Core.Hub.Directory;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// The signed directory: members publish their entry (name and agreement key, signed by their
/// identity) and look others up by name or device ID. The hub refuses an entry not signed by the
/// device publishing it, and remembers when each device was last online.
/// </summary>
internal sealed class DirectoryFeature(IDirectoryStore store, IHubMembers members, PresenceFeature presence, TimeProvider time) : IHubFeature
{
    public IReadOnlyList<FrameSpec> Takes { get; } =
        [FrameSpec.Of<DirectoryEntry>(FrameType.DirectoryPublish), FrameSpec.Of<WhoisQuery>(FrameType.WhoisQuery)];

    public IReadOnlyList<FrameSpec> Sends { get; } = [FrameSpec.Of<WhoisResult>(FrameType.WhoisResult)];

    public ValueTask OnFrameAsync(Member member, Frame frame) => frame.Type switch
    {
        FrameType.DirectoryPublish => PublishAsync(member, frame.Read<DirectoryEntry>()),
        FrameType.WhoisQuery => WhoisAsync(member, frame.Read<WhoisQuery>()),
        _ => ValueTask.CompletedTask,
    };

    // A shared store writes in the background; it logs its own failures.
    public void OnMemberDisconnected(Member member) => _ = store.SeenAsync(member.Id, time.GetUtcNow()).AsTask();

    private async ValueTask PublishAsync(Member member, DirectoryEntry entry)
    {
        if (entry.DeviceId != member.Id || !entry.Verify())
        {
            throw new ProtocolException("directory entry is not signed by the device publishing it");
        }
        await store.PublishAsync(entry, time.GetUtcNow()).ConfigureAwait(false);
        if (member.Name != entry.Name)
        {
            member.Name = entry.Name;
            presence.Announce(member);
        }
    }

    /// <summary>Online members are "seen now"; the others as of when they left.</summary>
    private async ValueTask WhoisAsync(Member member, WhoisQuery query)
    {
        var now = time.GetUtcNow();
        var results = (await store.FindAsync(query.Text, WhoisResult.MaxEntries).ConfigureAwait(false))
            .Select(found => members.IsOnline(found.Entry.DeviceId) ? new WhoisEntry(true, now, found.Entry) : new WhoisEntry(false, found.LastSeen, found.Entry))
            .ToList();
        member.Send(FrameType.WhoisResult, new WhoisResult(query.QueryId, results));
    }
}
