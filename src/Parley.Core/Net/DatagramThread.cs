using System.Net;
using System.Net.Sockets;

namespace Parley.Core.Net;

/// <summary>
/// A UDP socket's receive loop on a thread of its own, blocked in <c>recvfrom</c>: a datagram wakes
/// this thread directly and is handled there (sealed, forwarded, sent on) before the next is read.
/// An async loop instead wakes the socket engine's thread, which queues the work to the thread pool,
/// which wakes a worker: two more hand-offs per packet, each a wait for a core on a busy machine,
/// and a call's media crosses two of these loops per node each way (and the hub's, in a room call). The loop
/// ends when the socket is disposed.
/// </summary>
public static class DatagramThread
{
    /// <param name="handle">Gets each datagram (the loop's one buffer: valid only during the call) and its sender; what it throws is reported and the loop goes on.</param>
    /// <returns>Completes when the loop has ended.</returns>
    public static Task Start(Socket socket, string name, int bufferSize, Action<ReadOnlyMemory<byte>, EndPoint> handle)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var buffer = new byte[bufferSize];
            var any = (EndPoint)new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            try
            {
                while (true)
                {
                    var from = any;
                    int length;
                    try
                    {
                        length = socket.ReceiveFrom(buffer, SocketFlags.None, ref from);
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                    {
                        continue; // an ICMP error for an earlier send, or an oversized datagram
                    }
                    try
                    {
                        handle(buffer.AsMemory(0, length), from);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException and not ObjectDisposedException)
                    {
                        // One datagram's handler failing must not end the loop (and with it the process: this thread is not the pool's).
                        System.Diagnostics.Trace.TraceError($"{name}: a datagram's handler failed: {e.Message}");
                    }
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                // Disposed: the service is stopping.
            }
            finally
            {
                ended.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return ended.Task;
    }
}
