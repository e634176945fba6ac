using Parley.Core.Calls;

namespace Parley.Node.Calls;

/// <summary>
/// Every 5 ms while a call rings or runs: each active call's media clock (NACKs, reports, late
/// frames), the move to the link when UDP stays silent, and the end of a call whose media keys are
/// used up (<see cref="MediaSession.KeysUsedUp"/>); unanswered rings time out after
/// <see cref="RingTimeout"/>. With no live call it sleeps until one is added (an idle node does not
/// wake 200 times a second).
/// </summary>
internal sealed class CallClock(CallBook book, CallLifecycle lifecycle, CallMediaPaths paths, TimeProvider time) : INodeService
{
    public static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(45);
    private readonly CancellationTokenSource _stopping = new();
    private Task _ticking = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ticking = Task.Run(TickAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _ticking.ConfigureAwait(false);
    }

    private async Task TickAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                if (!book.AnyLive)
                {
                    await book.WaitForCallAsync(_stopping.Token).ConfigureAwait(false);
                    continue;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(5), time, _stopping.Token).ConfigureAwait(false);
                foreach (var call in book.Unordered)
                {
                    Tick(call);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Tick(Call call)
    {
        if (call.State == CallState.Active)
        {
            call.Session?.Tick();
            paths.FallBackIfUdpSilent(call);
            if (call.Session?.KeysUsedUp == true)
            {
                lifecycle.Hangup(call, MediaSession.KeysUsedUpReason);
            }
        }
        else if (call.State == CallState.Ringing && time.GetUtcNow() - call.Created > RingTimeout)
        {
            if (call.Outgoing)
            {
                lifecycle.Hangup(call, "no answer");
            }
            else
            {
                lifecycle.End(call, "missed", byPeer: false);
            }
        }
    }
}
