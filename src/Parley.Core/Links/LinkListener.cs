using System.Net;
using System.Net.Sockets;

namespace Parley.Core.Links;

/// <summary>
/// Accepts TCP connections and turns each into a <see cref="PeerLink"/> (TLS and hello). Each
/// connection is admitted by the establisher's <see cref="HandshakeGate"/> (per source, first byte,
/// a TLS slot), so neither a flood of idle or half-open connections nor one source's many can keep a
/// real peer out or exhaust the process. Nodes and hubs both listen with it.
/// </summary>
public sealed class LinkListener : IAsyncDisposable
{
    private readonly Socket _socket;
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
    /// <paramref name="onLink"/>; a refused or failed handshake goes to <paramref name="onFailure"/> with the remote address.
    /// <paramref name="intercept"/>, when given, sees each connection first (once it has sent a byte and
    /// holds a handshake slot) and may take it (returning true).
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
                    accepted = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    continue;
                }
                if (accepted.RemoteEndPoint is not IPEndPoint remote || establisher.Gate.TryAdmit(remote.Address) is not { } ticket)
                {
                    onFailure(accepted.RemoteEndPoint?.ToString() ?? "?", "refused: too many connections from its address are handshaking");
                    accepted.Dispose();
                    continue;
                }
                _ = HandshakeAsync(accepted, ticket, establisher, helloFor, onLink, onFailure);
            }
        });
    }

    private async Task HandshakeAsync(Socket socket, HandshakeTicket ticket, LinkEstablisher establisher, Func<Identity.DeviceId, Hello> helloFor,
        Func<PeerLink, Task> onLink, Action<string, string> onFailure)
    {
        var endpoint = socket.RemoteEndPoint?.ToString() ?? "?";
        PeerLink link;
        try
        {
            await ticket.ReadyAsync(socket, _stopping.Token).ConfigureAwait(false);
            // A hub takes relay connections on the same port: they start with a preamble, not TLS.
            if (_intercept is not null && await _intercept(socket).ConfigureAwait(false))
            {
                return;
            }
            link = await establisher.AcceptAsync(socket, ticket, helloFor, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LinkFailedException or OperationCanceledException)
        {
            socket.Dispose();
            onFailure(endpoint, e.Message);
            return;
        }
        finally
        {
            ticket.Dispose();
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
