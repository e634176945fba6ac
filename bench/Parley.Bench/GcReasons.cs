using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Parley.Bench;

/// <summary>
/// Counts this process's garbage collections by generation and the runtime's stated reason, and its
/// large-object allocations by type and size, while it lives. With <c>BENCH_ALLOCATIONS=1</c> it also
/// counts the runtime's allocation samples (one each ~100 KB allocated) by type and size: what allocates.
/// </summary>
internal sealed class GcReasons : EventListener
{
    private static readonly string[] Reasons = ["small allocation", "induced", "low memory", "empty", "large allocation", "out of space (small)", "out of space (large)", "induced, not forced", "stress", "low-memory induced"];
    private readonly ConcurrentDictionary<string, int> _counts = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)1); // GC keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && e.Payload is not null
            && Environment.GetEnvironmentVariable("BENCH_ALLOCATIONS") == "1")
        {
            var objectSize = e.PayloadNames!.Contains("ObjectSize") ? Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("ObjectSize")]) : -1;
            _counts.AddOrUpdate($"~100 KB of {e.Payload[e.PayloadNames!.IndexOf("TypeName")]} {objectSize}", 1, (_, n) => n + 1);
            return;
        }
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && e.Payload is not null
            && Convert.ToInt32(e.Payload[e.PayloadNames!.IndexOf("AllocationKind")]) == 1)
        {
            var size = e.PayloadNames.Contains("ObjectSize") ? Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("ObjectSize")]) : -1;
            _counts.AddOrUpdate($"LOH {e.Payload[e.PayloadNames.IndexOf("TypeName")]} {size}", 1, (_, n) => n + 1);
            return;
        }
        if (e.EventName?.StartsWith("GCStart", StringComparison.Ordinal) != true || e.Payload is null)
        {
            return;
        }
        var depth = Convert.ToInt32(e.Payload[e.PayloadNames!.IndexOf("Depth")]);
        var reason = Convert.ToInt32(e.Payload[e.PayloadNames!.IndexOf("Reason")]);
        var type = Convert.ToInt32(e.Payload[e.PayloadNames!.IndexOf("Type")]);
        var key = $"gen{depth} {(type == 1 ? "background" : "blocking")} ({(reason < Reasons.Length ? Reasons[reason] : reason.ToString())})";
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    public override string ToString() => string.Join(", ", _counts.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));
}
