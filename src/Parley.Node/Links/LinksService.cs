namespace Parley.Node.Links;

/// <summary>
/// Starts the link manager with the router built from every peer feature (the manager cannot take
/// the router in its constructor: the features take the manager), and closes every link at stop,
/// telling peers why.
/// </summary>
public sealed class LinksService(LinkManager links, FrameRouter router, NodeLifetime lifetime) : INodeService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        links.Start(router);
        return Task.CompletedTask;
    }

    public Task StopAsync() => links.StopAsync(lifetime.StopReason);
}
