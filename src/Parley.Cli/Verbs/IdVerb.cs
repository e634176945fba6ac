using Parley.Core.Identity;
using Parley.Node.Storage;

namespace Parley.Cli.Verbs;

/// <summary>Prints this home's device ID and name; asks the node when it runs, else reads (or creates) the identity.</summary>
internal sealed class IdVerb : IVerb
{
    public string Name => "id";

    public string Arguments => "[--json]";

    public string Summary => "print this device's ID and display name";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        string deviceId;
        string name;
        using var api = ApiClient.TryOpen(context.Home);
        System.Text.Json.JsonElement? status = null;
        if (api is not null)
        {
            try
            {
                status = await api.GetAsync("api/status").ConfigureAwait(false);
            }
            catch (CliException e) when (e.ExitCode == ExitCodes.NoNode)
            {
            }
        }
        if (status is { } s)
        {
            deviceId = s.GetProperty("deviceId").GetString()!;
            name = s.GetProperty("name").GetString()!;
        }
        else
        {
            using var identity = NodeIdentity.LoadOrCreate(context.Home);
            await using var store = NodeStore.Open(context.Home);
            deviceId = identity.DeviceId.ToString();
            name = await store.GetSettingAsync("name").ConfigureAwait(false) ?? Environment.UserName;
        }
        if (context.Json)
        {
            context.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { deviceId, name }));
        }
        else
        {
            context.Out.WriteLine(deviceId);
            context.Out.WriteLine($"name: {TerminalText.Safe(name)}");
        }
        return ExitCodes.Ok;
    }
}
