using Parley.Core.Links;

namespace Parley.Node.Links;

public sealed partial class LinkManager
{
    private LinkListener? _listener;

    /// <summary>The TCP port peers connect to (the real one when the options said 0).</summary>
    public int ListenPort { get; private set; }

    private void StartListening()
    {
        _listener = LinkListener.Bind(_options.PeerBindAddress, _options.PeerPort);
        ListenPort = _listener.Port;
        _listener.Start(_establisher, HelloFor, RegisterAsync,
            (endpoint, reason) => LinkManagerLog.HandshakeFailed(_logger, endpoint, reason));
    }
}
