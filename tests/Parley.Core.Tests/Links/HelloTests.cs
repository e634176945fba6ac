using System.Buffers;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Links;

public class HelloTests
{
    [Fact]
    public void Hello_RandomBytes_NeverThrows()
    {
        var random = new Random(5);
        using var identity = NodeIdentity.CreateEphemeral();
        var valid = new Hello(1, identity.DeviceId, 0, 1, HelloFlags.None, "bob").ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = i % 2 == 0 ? new byte[random.Next(0, Hello.MaxSize + 8)] : (byte[])valid.Clone();
            if (i % 2 == 0)
            {
                random.NextBytes(bytes);
            }
            else
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            var ok = Hello.TryRead(new ReadOnlySequence<byte>(bytes), out var hello, out var error);
            Assert.True(ok ? hello is not null : error.Length > 0);
        }
    }

    [Theory]
    [InlineData(0, "hello of 0 bytes")]
    [InlineData(4, "hello of 4 bytes")]
    public void Hello_TooShort_SaysSo(int length, string expected)
    {
        Assert.False(Hello.TryRead(new ReadOnlySequence<byte>(new byte[length]), out _, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Hello_WrongMagic_SaysNotParley()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var bytes = new Hello(1, identity.DeviceId, 0, 1, HelloFlags.None, "x").ToArray();
        bytes[0] = (byte)'G';
        Assert.False(Hello.TryRead(new ReadOnlySequence<byte>(bytes), out _, out var error));
        Assert.Contains("not a Parley peer", error, StringComparison.Ordinal);
    }
}
