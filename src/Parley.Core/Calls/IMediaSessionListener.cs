namespace Parley.Core.Calls;

/// <summary>
/// Who hears a <see cref="MediaSession"/>, given to it at construction: the frames it assembled and
/// what the peer asks of the local encoder. Called on the thread that took the packet in (or ran
/// <see cref="MediaSession.Tick"/>), once per frame: hand the work on, do not block.
/// </summary>
public interface IMediaSessionListener
{
    /// <summary>A frame ready for the player: audio at once, video in order.</summary>
    void OnFrame(MediaFrame frame);

    /// <summary>The peer asks for a keyframe on a stream: tell the encoder.</summary>
    void OnKeyframeRequested(StreamKind stream);

    /// <summary>The video bitrate the path carries now, in bits per second: set the encoder to it.</summary>
    void OnBitrateChanged(int bitsPerSecond);

    /// <summary>A datagram of the peer's page engine came whole (<see cref="PacketKind.Tunnel"/>): hand it to the local page.</summary>
    void OnTunnel(byte[] datagram)
    {
    }
}
