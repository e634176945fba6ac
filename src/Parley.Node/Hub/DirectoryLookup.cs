using Parley.Core.Hub;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Hub;

/// <summary>Looks names and device IDs up in the hub's directory; every answer's signature is checked here, never trusting the hub.</summary>
internal sealed class DirectoryLookup(IHubChannel channel, TimeProvider time) : IHubClientFeature, IWhois
{
    private readonly HubExchange<List<WhoisEntry>> _lookups = new(channel, time, "the lookup");

    public IReadOnlyList<FrameSpec> Frames { get; } = [HubFrameRouter.Spec(FrameType.WhoisResult)];

    public async Task<IReadOnlyList<WhoisAnswer>> WhoisAsync(string text)
    {
        var entries = await _lookups.AskAsync(FrameType.WhoisQuery, id => HubMessages.Query(id, text)).ConfigureAwait(false);
        return [.. entries.Select(e => new WhoisAnswer(e.Entry.DeviceId, e.Entry.Name, e.Entry.Verify(), e.Online, e.LastSeen, e.Entry.IssuedAt,
            e.Entry.AgreementPublicKey, e.Entry.IdentityKey))];
    }

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (!HubMessages.TryDecodeResult(frame.Payload, out var queryId, out var entries))
        {
            throw new ProtocolException("malformed whois result");
        }
        _lookups.TryAnswer(queryId, entries);
        return ValueTask.CompletedTask;
    }

    public void OnHubLost() => _lookups.FailAll();
}
