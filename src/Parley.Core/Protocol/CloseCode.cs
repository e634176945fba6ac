namespace Parley.Core.Protocol;

/// <summary>Why a link closed; sent in a Close frame so the other side can show it.</summary>
public enum CloseCode : byte
{
    Normal = 0,
    Shutdown = 1,
    Rejected = 2,
    Blocked = 3,
    ProtocolError = 4,
    TimedOut = 5,
    Duplicate = 6,
}
