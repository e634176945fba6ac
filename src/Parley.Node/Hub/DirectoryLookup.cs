using Parley.Core.Hub.Directory;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Hub;

/// <summary>Looks names and device IDs up in the hub's directory; every answer's signature is checked here, never trusting the hub.</summary>
internal sealed class DirectoryLookup(IHubChannel channel, TimeProvider time) : IHubClientFeature, IWhois
{
    private readonly HubExchange<IReadOnlyList<WhoisEntry>> _lookups = new(channel, time, "the lookup");

    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<WhoisResult>(FrameType.WhoisResult)];

    public async Task<IReadOnlyList<WhoisAnswer>> WhoisAsync(string text)
    {
        var entries = await _lookups.AskAsync(FrameType.WhoisQuery, id => new WhoisQuery(id, text)).ConfigureAwait(false);
        return [.. entries.Select(e => new WhoisAnswer(e.Entry.DeviceId, e.Entry.Name, e.Entry.Verify(), e.Online, e.LastSeen, e.Entry.IssuedAt,
            e.Entry.AgreementPublicKey, e.Entry.IdentityKey))];
    }

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        var result = frame.Read<WhoisResult>();
        _lookups.TryAnswer(result.QueryId, result.Entries);
        return ValueTask.CompletedTask;
    }

    public void OnHubLost() => _lookups.FailAll();
}
