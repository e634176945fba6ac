using Parley.Core.Hub.Rooms;

namespace Parley.Node.Rooms;

/// <summary>What a new room policy changed, as a line in the room's timeline ("alice set the topic to …").</summary>
internal static class RoomPolicyText
{
    public static string Change(RoomPolicy? before, RoomPolicy after, string by)
    {
        var who = by == "me" ? "you" : by;
        List<string> changes = [];
        if (before?.Topic != after.Topic)
        {
            changes.Add(after.Topic.Length == 0 ? "cleared the topic" : $"set the topic to \"{after.Topic}\"");
        }
        if (before?.Public != after.Public)
        {
            changes.Add(after.Public ? "made the room public" : "made the room invite-only");
        }
        if (before is null || !before.Owners.ToHashSet().SetEquals(after.Owners))
        {
            changes.Add($"changed the owners ({after.Owners.Count})");
        }
        return changes.Count == 0 ? $"{who} renewed #{after.Room}'s policy" : $"{who} {string.Join(", ", changes)} in #{after.Room}";
    }
}
