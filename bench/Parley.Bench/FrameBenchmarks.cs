using Parley.Core.Chat;
using System.Buffers;
using BenchmarkDotNet.Attributes;
using Parley.Core.Protocol;

namespace Parley.Bench;

/// <summary>The per-frame hot path: encoding and decoding a chat frame.</summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 16);
    private byte[] _payload = [];
    private ReadOnlySequence<byte> _frame;

    [Params(32, 1024)]
    public int TextLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = new ChatMessage(Guid.NewGuid(), DateTimeOffset.UtcNow, new string('x', TextLength)).ToArray();
        _frame = new ReadOnlySequence<byte>(FrameWriter.ToArray(FrameType.ChatMessage, 0, _payload));
    }

    [Benchmark]
    public int WriteFrame()
    {
        _output.ResetWrittenCount();
        FrameWriter.Write(_output, FrameType.ChatMessage, 0, _payload);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int ReadFrame()
    {
        var buffer = _frame;
        FrameReader.TryRead(ref buffer, Parley.Core.Links.KnownFrames.Table, out var frame, out _);
        return frame.Length;
    }

    [Benchmark]
    public string ReadAndDecodeChat()
    {
        var buffer = _frame;
        FrameReader.TryRead(ref buffer, Parley.Core.Links.KnownFrames.Table, out var frame, out _);
        ChatMessage.TryRead(frame.Payload, out var message, out _);
        return message!.Text;
    }
}
