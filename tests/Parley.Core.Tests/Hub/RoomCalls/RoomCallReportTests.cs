using Parley.Core.Hub.RoomCalls;

namespace Parley.Core.Tests.Hub.RoomCalls;

/// <summary>The report hop kind's header: exactly a u32 body, anything else refused without throwing; the layer bits round-trip.</summary>
public sealed class RoomCallReportTests
{
    [Theory]
    [InlineData(4, true)]
    [InlineData(0, false)]
    [InlineData(3, false)]
    [InlineData(5, false)]
    [InlineData(400, false)]
    public void Report_IsReadOnlyWithAU32Body(int bodyLength, bool readable)
    {
        var packet = new byte[RoomCallHop.HeaderSize + bodyLength + RoomCallHop.TagSize];
        RoomCallHop.WriteHeader(packet, new RoomCallHopHeader(RoomCallHopKind.Report, RoomCallHopFlags.None, 7, 1, 1, RoomCallHop.VideoStream, 127, 0, 1));
        Assert.Equal(readable, RoomCallHop.TryReadHeader(packet, out _));
    }

    [Fact]
    public void AKindPastReport_IsRefused()
    {
        var packet = new byte[RoomCallHop.HeaderSize + RoomCallHop.TagSize];
        packet[0] = (byte)RoomCallHopKind.Report + 1;
        Assert.False(RoomCallHop.TryReadHeader(packet, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LayerFlags_RoundTrip_AlongsideTheOtherFlags(int layer)
    {
        var flags = RoomCallHop.LayerFlags(layer) | RoomCallHopFlags.Keyframe | RoomCallHopFlags.EndOfFrame;
        var header = new RoomCallHopHeader(RoomCallHopKind.Media, flags, 1, 1, 1, RoomCallHop.VideoStream, 127, 0, 1);
        Assert.Equal(layer, header.Layer);
        Assert.True(header.Flags.HasFlag(RoomCallHopFlags.Keyframe) && header.Flags.HasFlag(RoomCallHopFlags.EndOfFrame));
        var packet = new byte[RoomCallHop.HeaderSize + RoomCallHop.TagSize];
        RoomCallHop.WriteHeader(packet, header);
        Assert.Equal(layer, RoomCallHop.Layer(packet));
    }
}
