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

    public ValueTask OnFrameAsync(Member member, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.DirectoryPublish:
                Publish(member, frame.Read<DirectoryEntry>());
                break;
            case FrameType.WhoisQuery:
                Whois(member, frame.Read<WhoisQuery>());
                break;
        }
        return ValueTask.CompletedTask;
    }

    public void OnMemberDisconnected(Member member) => store.Seen(member.Id, time.GetUtcNow());

    private void Publish(Member member, DirectoryEntry entry)
    {
        if (entry.DeviceId != member.Id || !entry.Verify())
        {
            throw new ProtocolException("directory entry is not signed by the device publishing it");
        }
        store.Publish(entry, time.GetUtcNow());
        if (member.Name != entry.Name)
        {
            member.Name = entry.Name;
            presence.Announce(member);
        }
    }

    /// <summary>Online members are "seen now"; the others as of when they left.</summary>
    private void Whois(Member member, WhoisQuery query)
    {
        var now = time.GetUtcNow();
        var results = store.Find(query.Text, WhoisResult.MaxEntries)
            .Select(found => members.IsOnline(found.Entry.DeviceId) ? new WhoisEntry(true, now, found.Entry) : new WhoisEntry(false, found.LastSeen, found.Entry))
            .ToList();
        member.Send(FrameType.WhoisResult, new WhoisResult(query.QueryId, results));
    }
}
