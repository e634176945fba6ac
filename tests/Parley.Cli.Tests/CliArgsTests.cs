namespace Parley.Cli.Tests;

public class CliArgsTests
{
    private static async Task<(int Code, string Out, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliMain.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("--home", "/tmp/x", "frobnicate")]
    public async Task UnknownVerb_PrintsUsage_ExitsTwo(params string[] args)
    {
        var (code, _, error) = await Run(args);
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'frobnicate'", error, StringComparison.Ordinal);
        Assert.Contains("usage: parley", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoArguments_PrintsUsage_ExitsTwo() => Assert.Equal(2, (await Run()).Code);

    [Theory]
    [InlineData("peers", "--bogus")]
    [InlineData("up", "--port", "70000")]
    [InlineData("up", "--port")]
    [InlineData("chat")]
    [InlineData("history", "bob", "--limit", "0")]
    [InlineData("accept", "a", "b")]
    public async Task BadArguments_PrintVerbUsage_ExitTwo(params string[] args)
    {
        var (code, _, error) = await Run(args);
        Assert.Equal(2, code);
        Assert.Contains($"usage: parley {args[0]}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ValuesFlagsAndPositionals()
    {
        var args = CliArgs.Parse(["bob", "--limit=5", "--json", "--", "--not-an-option"], ["--limit"], ["--json"]);
        Assert.Equal("5", args.Value("--limit"));
        Assert.True(args.Has("--json"));
        Assert.Equal(["bob", "--not-an-option"], args.Positional);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("\u001b[2Jwipe", "\\u001b[2Jwipe")]
    [InlineData("a\u0000b", "a\\u0000b")]
    [InlineData("evil\u202Etxt.exe", "evil\\u202etxt.exe")]
    [InlineData("line\nbreak", "line\\u000abreak")]
    public void TerminalText_EscapesControlAndBidi(string input, string expected) => Assert.Equal(expected, TerminalText.Safe(input));
}
