namespace Parley.Node.Hub;

/// <summary>Directory lookups at the hub, each answer's signature checked here (the seam <see cref="VerifiedDirectory"/> is tested through).</summary>
internal interface IWhois
{
    /// <summary>Entries whose name or device ID matches <paramref name="text"/>; throws <see cref="HubUnavailableException"/> when the hub cannot answer.</summary>
    Task<IReadOnlyList<WhoisAnswer>> WhoisAsync(string text);
}
