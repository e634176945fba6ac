namespace Parley.Core.Calls;

/// <summary>What one side of a call has seen, for reports, tests and the call view.</summary>
public sealed class MediaStats
{
    private long _sent, _received, _retransmitted, _malformed, _forged, _replayed, _tooOld, _lost, _nacksSent, _keyframeRequests, _framesOut, _framesIn;

    public long PacketsSent => Interlocked.Read(ref _sent);
    public long PacketsReceived => Interlocked.Read(ref _received);
    public long Retransmitted => Interlocked.Read(ref _retransmitted);
    /// <summary>Dropped before decryption: too short, too long, an unknown kind or stream.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);
    /// <summary>Dropped because the tag did not verify: forged, damaged, or another call's key.</summary>
    public long Forged => Interlocked.Read(ref _forged);
    public long Replayed => Interlocked.Read(ref _replayed);
    public long TooOld => Interlocked.Read(ref _tooOld);
    /// <summary>Packet numbers never received (gaps that were not filled).</summary>
    public long Lost => Interlocked.Read(ref _lost);
    public long NacksSent => Interlocked.Read(ref _nacksSent);
    public long KeyframeRequests => Interlocked.Read(ref _keyframeRequests);
    public long FramesSent => Interlocked.Read(ref _framesOut);
    public long FramesReceived => Interlocked.Read(ref _framesIn);

    internal void CountSent() => Interlocked.Increment(ref _sent);
    internal void CountReceived() => Interlocked.Increment(ref _received);
    internal void CountRetransmitted() => Interlocked.Increment(ref _retransmitted);
    internal void CountMalformed() => Interlocked.Increment(ref _malformed);
    internal void CountForged() => Interlocked.Increment(ref _forged);
    internal void CountReplayed() => Interlocked.Increment(ref _replayed);
    internal void CountTooOld() => Interlocked.Increment(ref _tooOld);
    internal void CountLost() => Interlocked.Increment(ref _lost);
    internal void CountNack() => Interlocked.Increment(ref _nacksSent);
    internal void CountKeyframeRequest() => Interlocked.Increment(ref _keyframeRequests);
    internal void CountFrameSent() => Interlocked.Increment(ref _framesOut);
    internal void CountFrameReceived() => Interlocked.Increment(ref _framesIn);
}
