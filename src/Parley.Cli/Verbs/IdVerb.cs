using System.Text.Json;
using Parley.Core.Identity;
using Parley.Node.Api;
using Parley.Node.Events;
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
        using var api = ApiClient.TryOpen(context.Home);
        NodeStatus? status = null;
        if (api is not null)
        {
            try
            {
                status = await api.GetAsync<NodeStatus>("api/status").ConfigureAwait(false);
            }
            catch (CliException e) when (e.ExitCode == ExitCodes.NoNode)
            {
            }
        }
        var device = status is not null ? new DeviceName(status.DeviceId, status.Name) : await ReadHomeAsync(context.Home).ConfigureAwait(false);
        if (context.Json)
        {
            context.Out.WriteLine(JsonSerializer.Serialize(device, EventHub.Json));
        }
        else
        {
            context.Out.WriteLine(device.DeviceId);
            context.Out.WriteLine($"name: {TerminalText.Safe(device.Name)}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>With no node running: the identity in the home folder (created if there is none) and the stored name.</summary>
    private static async Task<DeviceName> ReadHomeAsync(string home)
    {
        using var identity = NodeIdentity.LoadOrCreate(home);
        await using var store = NodeStore.Open(home);
        return new DeviceName(identity.DeviceId.ToString(), await store.GetSettingAsync("name").ConfigureAwait(false) ?? Environment.UserName);
    }
}

/// <summary>What <c>parley id --json</c> prints: <c>{"deviceId": …, "name": …}</c>.</summary>
internal sealed record DeviceName(string DeviceId, string Name);
