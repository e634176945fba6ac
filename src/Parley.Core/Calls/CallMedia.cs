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

/// <summary>
/// Which media engine does a call's capture, encoding and decoding. WebCodecs: the page's own
/// encoders and decoders, frames carried by <see cref="MediaSession"/> (also the terminal's
/// ffmpeg calls). WebRTC: Chromium's own engine on each page, its packets carried between the two
/// nodes inside the call's media session (<see cref="PacketKind.Tunnel"/>); only when both ends are pages.
/// </summary>
[Flags]
public enum CallEngines : byte
{
    None = 0,
    WebCodecs = 1,
    WebRtc = 2,
}
