namespace Parley.Core.Calls;

/// <summary>What a call carries: audio always, video and screen when asked.</summary>
[Flags]
public enum CallMedia : byte
{
    Audio = 1,
    Video = 2,
    Screen = 4,
}

/// <summary>Video codecs a side can encode and decode; the callee picks one both have.</summary>
[Flags]
public enum VideoCodecs : byte
{
    None = 0,
    Vp8 = 1,
    Vp9 = 2,
    H264 = 4,
}
