using System.Text.Json;
using System.Threading.Channels;

namespace Parley.Node.Events;

/// <summary>
/// Fans node events out to every subscriber (the WebSocket event stream). Each subscriber has a
/// bounded queue; a subscriber that falls behind loses its oldest events rather than slowing the node.
/// </summary>
public sealed class EventHub
{
    /// <summary>Events kept per subscriber before the oldest are dropped. 1,024.</summary>
    public const int SubscriberQueueLimit = 1024;
    private readonly Lock _lock = new();
    private readonly List<Channel<string>> _subscribers = [];

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Publishes <c>{"type": type, "data": data}</c> to every subscriber. <paramref name="type"/> is a
    /// constant of a class marked <see cref="EventNamesAttribute"/>; <paramref name="data"/> a sealed record.</summary>
    public void Publish<T>(string type, T data) where T : class => Publish(type, () => data);

    /// <summary>As <see cref="Publish{T}(string, T)"/>, building the data only if someone listens (hot paths).</summary>
    public void Publish<T>(string type, Func<T> data) where T : class
    {
        lock (_lock)
        {
            if (_subscribers.Count == 0)
            {
                return;
            }
            var json = JsonSerializer.Serialize(new { type, data = data() }, Json);
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(json);
            }
        }
    }

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(SubscriberQueueLimit)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }
        return new Subscription(this, channel);
    }

    private void Remove(Channel<string> channel)
    {
        lock (_lock)
        {
            _subscribers.Remove(channel);
        }
        channel.Writer.TryComplete();
    }

    public sealed class Subscription(EventHub hub, Channel<string> channel) : IDisposable
    {
        public ChannelReader<string> Reader => channel.Reader;

        public void Dispose() => hub.Remove(channel);
    }
}
