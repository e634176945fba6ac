namespace Parley.Hub;

/// <summary>Why the forwarding unit dropped a room call packet (each is counted).</summary>
internal enum RoomCallDrop
{
    /// <summary>Not a hop packet at all (size or kind).</summary>
    Malformed,

    /// <summary>A call ID no call on this hub has.</summary>
    UnknownCall,

    /// <summary>A participant ID the call does not have (never had, or one that left).</summary>
    UnknownParticipant,

    /// <summary>A stream the participant did not join with (video from an audio-only one), or sent under another's source ID.</summary>
    UnknownStream,

    /// <summary>The tag is not the named participant's hop key's (or, between hubs, the sending hub's key's): a forgery, or someone using another's ID.</summary>
    BadTag,

    /// <summary>A hop counter seen already, or too old to tell.</summary>
    Replayed,

    /// <summary>Over the participant's packets or bytes a second.</summary>
    OverBudget,

    /// <summary>A packet on the hub-to-hub port naming a hub of the cluster that is in no call (or no hub at all).</summary>
    UnknownHub,
}
