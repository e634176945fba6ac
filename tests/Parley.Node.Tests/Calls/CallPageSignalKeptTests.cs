using Parley.Core.Calls;
using Parley.Core.Identity;
using Parley.Node.Calls;

namespace Parley.Node.Tests.Calls;

/// <summary>What a call keeps of the peer page's session descriptions for a page that comes late: the latest of each kind, however many the peer sends.</summary>
public sealed class CallPageSignalKeptTests
{
    [Fact]
    public async Task A_late_page_gets_only_the_latest_offer_and_answer()
    {
        var call = new Call(7, new DeviceId(new byte[DeviceId.Size]), "bob", outgoing: true, CallMedia.Audio, VideoCodecs.H264, new byte[MediaCrypto.SecretSize], DateTimeOffset.UnixEpoch);
        for (var i = 0; i < 1000; i++)
        {
            call.TellPageSignal(CallNotice.Signal(PageSignalKind.Answer, $"answer {i}"));
        }
        call.TellPageSignal(CallNotice.Signal(PageSignalKind.Offer, "offer"));
        var page = call.Listen();
        call.CloseListeners();
        var heard = new List<string>();
        await foreach (var item in page.ReadAllAsync())
        {
            heard.Add(((CallNotice)item).Sdp!);
        }
        Assert.Equal(["answer 999", "offer"], heard);
    }
}
