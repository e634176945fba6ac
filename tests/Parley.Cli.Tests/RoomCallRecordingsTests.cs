using Parley.Cli.Calls;

namespace Parley.Cli.Tests;

/// <summary>A participant's name becomes a file name in <c>--record-dir</c>: never a path, a hidden file or nothing.</summary>
public sealed class RoomCallRecordingsTests
{
    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("Bob Smith", "Bob_Smith")]
    [InlineData("../../etc/passwd", "_._.._etc_passwd")]
    [InlineData("..", "participant")]
    [InlineData("", "participant")]
    [InlineData("a/b\\c", "a_b_c")]
    [InlineData("line\nbreak\u001b[31m", "line_break__31m")]
    [InlineData("Zoë", "Zoë")]
    public void SafeFileName_AnyName_IsOneFileNameInTheFolder(string name, string expected)
    {
        var safe = RoomCallRecordings.SafeFileName(name);
        Assert.Equal(expected, safe);
        Assert.Equal(safe, Path.GetFileName(safe));
        Assert.False(safe.StartsWith('.'));
    }

    [Fact]
    public void SafeFileName_AVeryLongName_IsCut()
    {
        Assert.Equal(64, RoomCallRecordings.SafeFileName(new string('x', 500)).Length);
    }
}
