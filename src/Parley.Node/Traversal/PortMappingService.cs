using System.Net;
using Microsoft.Extensions.Logging;
using Parley.Core.Traversal.PortMapping;
using Parley.Node.Links;

namespace Parley.Node.Traversal;

/// <summary>
/// Asks the local router to forward our peer port (TCP) at start — PCP, then NAT-PMP, then UPnP-IGD —
/// and the media port (UDP) when a call wants it; renews each mapping at half its lifetime, and deletes
/// them at shutdown. The forwarded TCP address goes to the hub, which gives it to others to dial.
/// </summary>
internal sealed class PortMappingService(NodeOptions options, LinkManager links, ReachabilityPublisher publisher, ILoggerFactory loggerFactory)
    : INodeService, IMediaPortMapper, IDisposable
{
    /// <summary>Lifetime asked for; RFC 6886 recommends two hours, and we renew at half of what is granted. 2 h.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    /// <summary>After a failed renewal, the next try. 30 s.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>How long shutdown waits for the router to delete the mappings. 2 s.</summary>
    public static readonly TimeSpan DeleteTimeout = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.PortMapping");
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _searched = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _mapping = new(1, 1);
    private readonly Dictionary<(MappedProtocol, int), (ForwardedPort Port, DateTimeOffset RenewAt)> _ports = [];
    private IPortMapper? _mapper;
    private Task _running = Task.CompletedTask;

    /// <summary>The forwarded peer port, once the router granted it.</summary>
    public ForwardedPort? Tcp => Current(MappedProtocol.Tcp, links.ListenPort);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.PortMapping && options.PortMappingMethods != MappingMethods.None)
        {
            links.PeerPortForwarded = () => Tcp is not null;
            _running = RunAsync(_stopping.Token);
        }
        else
        {
            _searched.TrySetResult();
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Forwards UDP <paramref name="port"/> (the media socket's) through the router that forwarded the peer
    /// port, or returns the mapping already made; null when there is no such router.
    /// </summary>
    public async Task<IPEndPoint?> MapUdpAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            await _searched.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_mapper is null)
            {
                return null;
            }
            return Current(MappedProtocol.Udp, port)?.External ?? (await MapAsync(MappedProtocol.Udp, port, cancellationToken).ConfigureAwait(false))?.External;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var found = await RouterMapping.FirstAsync(DefaultGateway.Find(), MappedProtocol.Tcp, links.ListenPort, Lifetime, options.PortMappingMethods, cancellationToken).ConfigureAwait(false);
            if (found is not { } first)
            {
                PortMappingLog.NoRouter(_logger);
                return;
            }
            _mapper = first.Mapper;
            Store(first.Port);
            PortMappingLog.Mapped(_logger, first.Port.ToString());
            publisher.Publish(first.Port.External);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            _searched.TrySetResult();
        }
        await RenewLoopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renews each mapping at half its lifetime (RFC 6886 §3.3), sooner after a failure.</summary>
    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        var retry = new Dictionary<(MappedProtocol, int), DateTimeOffset>();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), options.TimeProvider, cancellationToken).ConfigureAwait(false);
                var now = options.TimeProvider.GetUtcNow();
                foreach (var (port, renewAt) in Snapshot())
                {
                    var key = (port.Protocol, port.InternalPort);
                    var due = retry.TryGetValue(key, out var at) ? at : renewAt;
                    if (now < due)
                    {
                        continue;
                    }
                    if (await MapAsync(port.Protocol, port.InternalPort, cancellationToken).ConfigureAwait(false) is { } renewed)
                    {
                        retry.Remove(key);
                        if (renewed.Protocol == MappedProtocol.Tcp && !renewed.External.Equals(port.External))
                        {
                            PortMappingLog.Mapped(_logger, renewed.ToString());
                            publisher.Publish(renewed.External);
                        }
                    }
                    else
                    {
                        retry[key] = now + RetryAfter;
                        PortMappingLog.RenewFailed(_logger, port.Protocol.ToString(), port.InternalPort, port.Method, RetryAfter.TotalSeconds);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<ForwardedPort?> MapAsync(MappedProtocol protocol, int port, CancellationToken cancellationToken)
    {
        await _mapping.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var mapped = _mapper is null ? null : await _mapper.MapAsync(protocol, port, Lifetime, cancellationToken).ConfigureAwait(false);
            if (mapped is not null)
            {
                Store(mapped);
            }
            return mapped;
        }
        finally
        {
            _mapping.Release();
        }
    }

    private void Store(ForwardedPort port)
    {
        var renewAt = options.TimeProvider.GetUtcNow() + port.Lifetime / 2;
        lock (_ports)
        {
            _ports[(port.Protocol, port.InternalPort)] = (port, renewAt);
        }
    }

    private ForwardedPort? Current(MappedProtocol protocol, int port)
    {
        lock (_ports)
        {
            return _ports.TryGetValue((protocol, port), out var entry) ? entry.Port : null;
        }
    }

    private List<(ForwardedPort Port, DateTimeOffset RenewAt)> Snapshot()
    {
        lock (_ports)
        {
            return [.. _ports.Values];
        }
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        if (_mapper is null)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(DeleteTimeout);
        try
        {
            await Task.WhenAll(Snapshot().Select(p => _mapper.DeleteAsync(p.Port, timeout.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The router keeps them until their lifetime ends.
        }
        (_mapper as IDisposable)?.Dispose();
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _mapping.Dispose();
    }
}
