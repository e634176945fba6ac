namespace Parley.Cli.Tests.Verbs;

public sealed class TurnArgsTests
{
    private static async Task<(int Code, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliMain.RunAsync(args, output, error);
        return (code, error.ToString());
    }

    [Theory]
    [InlineData("up", "--turn", "turns:turn.example.org:5349", "--turn-user", "u", "--turn-password", "p", "TURN over TLS) is not supported yet")]
    [InlineData("up", "--turn", "turn:turn.example.org?transport=tcp", "--turn-user", "u", "--turn-password", "p", "TURN over TCP) is not supported yet")]
    [InlineData("up", "--turn", "turn:turn.example.org", "--turn-user", "u", "needs a user name and a password")]
    [InlineData("up", "--turn-user", "u", "--turn-password", "p", "go with --turn")]
    [InlineData("turn-check", "--turn-user", "u", "go with --turn")]
    [InlineData("turn-check", "needs --turn")]
    [InlineData("turn-check", "--turn", "turn:h", "--turn-user", "u", "--turn-password", "p", "--peer", "nowhere", "--peer takes ADDRESS:PORT")]
    public async Task BadTurnOptions_ArePlainUsageErrors(params string[] args)
    {
        var (code, error) = await Run(["--home", Path.Combine(Path.GetTempPath(), "parley-turn-args-unused"), .. args[..^1]]);
        Assert.Equal(2, code);
        Assert.Contains(args[^1], error, StringComparison.Ordinal);
    }
}
