using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Parley.Core.Net;

/// <summary>
/// Datagrams for many addresses, gathered and then sent in one <c>sendmmsg</c> call per socket on Linux
/// (one <c>sendto</c> each elsewhere). A forwarder turns each packet it receives into one copy per
/// receiver; sent one call each, every copy pays a system call's entry and exit, which on this kind of
/// machine is a good part of the kernel's time per datagram. One batch belongs to one thread
/// (<see cref="ForThisThread"/>): its slots and the native message headers are reused, pinned, and never
/// shared. Sending is best effort, as UDP is: a datagram the kernel refuses is skipped, not retried.
/// </summary>
public sealed class DatagramBatch
{
    /// <summary>The most datagrams held before <see cref="Reserve"/> sends them by itself.</summary>
    public const int Capacity = 64;

    /// <summary>The largest datagram a slot holds.</summary>
    public const int SlotSize = 1536;

    private const int MessageHeaderSize = 64; // struct mmsghdr on LP64 Linux: struct msghdr (56) and msg_len, padded
    private const int IoVectorSize = 16; // struct iovec: base, length
    private const int AddressSize = 32; // room for a sockaddr_in6 (28)

    [ThreadStatic]
    private static DatagramBatch? t_batch;

    // The headers are written little-endian with 64-bit pointers: LP64 Linux on x64 or arm64.
    private static readonly bool s_native = OperatingSystem.IsLinux() && Environment.Is64BitProcess && BitConverter.IsLittleEndian;

    // Pinned (the pinned object heap), so the kernel can be given their addresses without fixing them each call.
    private readonly byte[] _data = GC.AllocateArray<byte>(Capacity * SlotSize, pinned: true);
    private readonly byte[] _headers = GC.AllocateArray<byte>(Capacity * MessageHeaderSize, pinned: true);
    private readonly byte[] _vectors = GC.AllocateArray<byte>(Capacity * IoVectorSize, pinned: true);
    private readonly byte[] _addresses = GC.AllocateArray<byte>(Capacity * AddressSize, pinned: true);
    private readonly Socket?[] _sockets = new Socket?[Capacity];
    private readonly SocketAddress?[] _to = new SocketAddress?[Capacity];
    private readonly int[] _lengths = new int[Capacity];
    private int _count;

    private DatagramBatch()
    {
    }

    /// <summary>This thread's batch (made on first use).</summary>
    public static DatagramBatch ForThisThread => t_batch ??= new DatagramBatch();

    /// <summary>How many datagrams wait to be sent.</summary>
    public int Count => _count;

    /// <summary>
    /// The next slot, <paramref name="length"/> bytes, to write a datagram into; then <see cref="Add"/> says where it goes.
    /// A full batch is sent first.
    /// </summary>
    public Span<byte> Reserve(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, SlotSize);
        if (_count == Capacity)
        {
            Flush();
        }
        return _data.AsSpan(_count * SlotSize, length);
    }

    /// <summary>Keeps the datagram just written into the slot <see cref="Reserve"/> gave, for <paramref name="to"/> from <paramref name="socket"/>.</summary>
    public void Add(Socket socket, SocketAddress to, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, SlotSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(to.Size, AddressSize);
        _sockets[_count] = socket;
        _to[_count] = to;
        _lengths[_count] = length;
        _count++;
    }

    /// <summary>Sends what the batch holds: each run of datagrams from one socket in one call. Errors drop datagrams, never throw.</summary>
    public void Flush()
    {
        var start = 0;
        while (start < _count)
        {
            var socket = _sockets[start]!;
            var end = start + 1;
            while (end < _count && _sockets[end] == socket)
            {
                end++;
            }
            if (s_native)
            {
                SendNative(socket, start, end);
            }
            else
            {
                SendEach(socket, start, end);
            }
            start = end;
        }
        Array.Clear(_sockets, 0, _count);
        Array.Clear(_to, 0, _count);
        _count = 0;
    }

    private void SendEach(Socket socket, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            try
            {
                socket.SendTo(_data.AsSpan(i * SlotSize, _lengths[i]), SocketFlags.None, _to[i]!);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // best effort, as UDP is
            }
        }
    }

    private void SendNative(Socket socket, int start, int end)
    {
        var data = Marshal.UnsafeAddrOfPinnedArrayElement(_data, 0);
        var vectors = Marshal.UnsafeAddrOfPinnedArrayElement(_vectors, 0);
        var addresses = Marshal.UnsafeAddrOfPinnedArrayElement(_addresses, 0);
        for (var i = start; i < end; i++)
        {
            var to = _to[i]!;
            to.Buffer.Span[..to.Size].CopyTo(_addresses.AsSpan(i * AddressSize, AddressSize));
            var vector = _vectors.AsSpan(i * IoVectorSize, IoVectorSize);
            BinaryPrimitives.WriteInt64LittleEndian(vector, data + (i * SlotSize));
            BinaryPrimitives.WriteInt64LittleEndian(vector[8..], _lengths[i]);
            var header = _headers.AsSpan(i * MessageHeaderSize, MessageHeaderSize);
            header.Clear();
            BinaryPrimitives.WriteInt64LittleEndian(header, addresses + (i * AddressSize)); // msg_name
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], to.Size); // msg_namelen
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], vectors + (i * IoVectorSize)); // msg_iov
            BinaryPrimitives.WriteInt64LittleEndian(header[24..], 1); // msg_iovlen
        }
        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            var next = start;
            while (next < end)
            {
                var count = end - next;
                var sent = SendMessages(fd, Marshal.UnsafeAddrOfPinnedArrayElement(_headers, next * MessageHeaderSize), (uint)count, 0);
                // The kernel returns how many went before the first it refused (a firewall's drop, an address it will not
                // send to), or -1 when that was the first. The refused one is skipped, as a failed sendto would be: sent
                // again at once it would get a second chance a lost packet never has.
                next += sent >= count ? count : Math.Max(sent, 0) + 1;
            }
        }
        catch (ObjectDisposedException)
        {
            // the socket closed while the hub stops
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for this signature; DllImport of an int function is fine.
    [DllImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static extern int SendMessages(int fd, IntPtr messages, uint count, int flags);
#pragma warning restore SYSLIB1054
}
