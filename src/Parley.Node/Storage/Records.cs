namespace Parley.Node.Storage;

/// <summary>What this node has decided about a device.</summary>
public enum PeerState
{
    /// <summary>The device asked to connect and waits for accept, deny or block.</summary>
    Request,

    /// <summary>Accepted: added by us or a request we accepted.</summary>
    Contact,

    /// <summary>Its request was denied; it is refused until we add it ourselves.</summary>
    Denied,

    /// <summary>Refused always, and never told more than "rejected".</summary>
    Blocked,
}

/// <summary>A device this node knows, as stored. <see cref="DeviceId"/> is the compact base32 form.</summary>
public sealed record PeerRecord(
    string DeviceId,
    PeerState State,
    string RemoteName,
    string? Alias,
    string? Address,
    DateTimeOffset? LastSeen,
    DateTimeOffset CreatedAt)
{
    /// <summary>What to call the peer: our alias for it, else the name it gave, else its ID.</summary>
    public string DisplayName => !string.IsNullOrEmpty(Alias) ? Alias : !string.IsNullOrEmpty(RemoteName) ? RemoteName : DeviceId[..8];

    /// <summary>When the user marked this device's safety number as checked with its owner; null when never (or taken back).</summary>
    public DateTimeOffset? VerifiedAt { get; init; }
}

/// <summary>Delivery state of a 1:1 message.</summary>
public enum MessageState
{
    /// <summary>Outgoing, waiting for the peer to be online and to accept us.</summary>
    Queued,

    /// <summary>Outgoing, written to the link, not yet acknowledged.</summary>
    Sent,

    /// <summary>Outgoing, acknowledged: the peer has stored it.</summary>
    Delivered,

    /// <summary>Incoming.</summary>
    Received,

    /// <summary>Outgoing, sealed to the peer's agreement key and left at the hub's mailbox; resent directly too when the peer is back.</summary>
    Mailed,

    /// <summary>A room event (someone joined or left), shown in the room's timeline.</summary>
    Notice,

    /// <summary>A room message whose sender key has not reached us yet: kept sealed, asked for, and opened when the key comes.</summary>
    WaitingForKey,

    /// <summary>A 1:1 call that was held, declined or cancelled, as the conversation shows it (never unread).</summary>
    Call,

    /// <summary>An incoming 1:1 call nobody answered here: unread until the conversation is read.</summary>
    MissedCall,

    /// <summary>A file transfer in a 1:1 conversation; its ID is the transfer's (the page shows its progress).</summary>
    File,
}

public sealed record MessageRecord(
    Guid Id,
    string Peer,
    bool Outgoing,
    string Text,
    DateTimeOffset SentAt,
    MessageState State,
    long Sequence)
{
    /// <summary>Why a message could not go the way it should have (not stored), for the sender to read.</summary>
    public string? Warning { get; init; }

    /// <summary>In a room ("#name" peer): who wrote it (compact device ID).</summary>
    public string? Sender { get; init; }

    /// <summary>In a room: the entry's place in the hub's log of the room (null until the hub has stored an outgoing one).</summary>
    public long? RoomSeq { get; init; }

    /// <summary>The message this one replies to (quotes), if any.</summary>
    public Guid? ReplyTo { get; init; }

    /// <summary>When its sender last edited it (the sender's clock), if ever.</summary>
    public DateTimeOffset? EditedAt { get; init; }

    /// <summary>Deleted for everyone by its sender: the text is gone, the place stays.</summary>
    public bool Deleted { get; init; }
}
