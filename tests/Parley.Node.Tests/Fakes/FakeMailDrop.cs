using Parley.Core.Chat;
using Parley.Core.Identity;
using Parley.Node.Chat;

namespace Parley.Node.Tests.Fakes;

/// <summary>A mailbox the test controls: whether it is the way to the peer, whether it refuses, and what was left in it.</summary>
internal sealed class FakeMailDrop : IMailDrop
{
    public bool Reachable { get; set; }

    public string? Refusal { get; set; }

    public List<ChatMessage> Dropped { get; } = [];

    public List<ChatAction> DroppedActions { get; } = [];

    public bool ShouldMail(DeviceId peer) => Reachable;

    public Task<string?> LeaveAsync(DeviceId peer, ChatMessage message) => Leave(Dropped, message);

    public Task<string?> LeaveAsync(DeviceId peer, ChatAction action) => Leave(DroppedActions, action);

    private Task<string?> Leave<T>(List<T> into, T item)
    {
        if (Refusal is null)
        {
            into.Add(item);
        }
        return Task.FromResult(Refusal);
    }
}
