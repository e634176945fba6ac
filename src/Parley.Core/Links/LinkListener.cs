using System.Net;
using System.Net.Sockets;

namespace Parley.Core.Links;

/// <summary>
/// Accepts TCP connections and turns each into a <see cref="PeerLink"/> (TLS and hello) with at
/// most <see cref="MaxConcurrentHandshakes"/> in progress; more wait in the kernel's backlog, so a
/// flood of half-open connections cannot exhaust the process. Nodes and hubs both listen with it.
/// </summary>
public sealed class LinkListener : IAsyncDisposable
{
    public const int MaxConcurrentHandshakes = 64;
    private readonly Socket _socket;
    private readonly SemaphoreSlim _slots = new(MaxConcurrentHandshakes, MaxConcurrentHandshakes);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private Func<Socket, Task<bool>>? _intercept;

    private LinkListener(Socket socket) => _socket = socket;

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Binds and listens; throws <see cref="InvalidOperationException"/> with a readable reason when the port is taken.</summary>
    public static LinkListener Bind(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(256);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"cannot listen on port {port}: {e.Message} (choose another with --port)", e);
        }
        return new LinkListener(socket);
    }

    /// <summary>
    /// Accepts until disposed: each connection goes through <paramref name="establisher"/>, then to
    /// <paramref name="onLink"/>; a failed handshake goes to <paramref name="onFailure"/> with the remote address.
    /// <paramref name="intercept"/>, when given, sees each connection first and may take it (returning true).
    /// </summary>
    public void Start(LinkEstablisher establisher, Func<Identity.DeviceId, Hello> helloFor, Func<PeerLink, Task> onLink, Action<string, string> onFailure,
        Func<Socket, Task<bool>>? intercept = null)
    {
        _intercept = intercept;
        _loop = Task.Run(async () =>
        {
            while (!_stopping.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    await _slots.WaitAsync(_stopping.Token).ConfigureAwait(false);
                    accepted = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    _slots.Release();
                    continue;
                }
                _ = HandshakeAsync(accepted, establisher, helloFor, onLink, onFailure);
            }
        });
    }

    private async Task HandshakeAsync(Socket socket, LinkEstablisher establisher, Func<Identity.DeviceId, Hello> helloFor, Func<PeerLink, Task> onLink, Action<string, string> onFailure)
    {
        var endpoint = socket.RemoteEndPoint?.ToString() ?? "?";
        PeerLink link;
        try
        {
            // A hub takes relay connections on the same port: they start with a preamble, not TLS.
            if (_intercept is not null && await _intercept(socket).ConfigureAwait(false))
            {
                return;
            }
            link = await establisher.AcceptAsync(socket, helloFor, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LinkFailedException or OperationCanceledException)
        {
            onFailure(endpoint, e.Message);
            return;
        }
        finally
        {
            _slots.Release();
        }
        await onLink(link).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
