using System.Net;
using System.Net.Sockets;
using Parley.Core.Links;

namespace Parley.Node.Links;

public sealed partial class LinkManager
{
    /// <summary>Handshakes in progress at once; more connections wait in the kernel backlog. 64.</summary>
    private const int MaxConcurrentHandshakes = 64;
    private readonly SemaphoreSlim _handshakeSlots = new(MaxConcurrentHandshakes, MaxConcurrentHandshakes);
    private Socket? _listener;

    /// <summary>The TCP port peers connect to (the real one when the options said 0).</summary>
    public int ListenPort { get; private set; }

    private void StartListening()
    {
        var socket = new Socket(_options.PeerBindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(_options.PeerBindAddress, _options.PeerPort));
            socket.Listen(128);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"cannot listen for peers on port {_options.PeerPort}: {e.Message} (choose another with --port)", e);
        }
        _listener = socket;
        ListenPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                await _handshakeSlots.WaitAsync(_stopping.Token).ConfigureAwait(false);
                accepted = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                _handshakeSlots.Release();
                continue;
            }
            _ = HandleIncomingAsync(accepted);
        }
    }

    private async Task HandleIncomingAsync(Socket socket)
    {
        var endpoint = socket.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            var link = await _establisher.AcceptAsync(socket, HelloFor, _stopping.Token).ConfigureAwait(false);
            await RegisterAsync(link).ConfigureAwait(false);
        }
        catch (LinkFailedException e)
        {
            LinkManagerLog.HandshakeFailed(_logger, endpoint, e.Message);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _handshakeSlots.Release();
        }
    }
}
