using System.Text.Json;
using Parley.Node.Events;

namespace Parley.Cli.Tests;

/// <summary>Events exactly as the node's <see cref="EventHub"/> writes them to its event stream.</summary>
internal static class PublishedEvents
{
    public static string Json<T>(string type, T data) where T : class
    {
        var hub = new EventHub();
        using var subscription = hub.Subscribe();
        hub.Publish(type, data);
        Assert.True(subscription.Reader.TryRead(out var json));
        return json;
    }

    /// <summary>The event as the CLI reads it off the stream.</summary>
    public static NodeEvent Read<T>(string type, T data) where T : class =>
        JsonSerializer.Deserialize<NodeEvent>(Json(type, data), EventHub.Json)!;
}
