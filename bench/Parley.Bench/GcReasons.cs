using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

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
        if (e.Payload is not { } payload || e.PayloadNames is not { } names)
        {
            return;
        }
        object Field(string name) => payload[names.IndexOf(name)]!;
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true)
        {
            var large = Convert.ToInt32(Field("AllocationKind")) == 1;
            if (large || SampleAllocations)
            {
                var size = names.Contains("ObjectSize") ? Convert.ToInt64(Field("ObjectSize")) : -1;
                Count($"{(large ? "LOH" : "~100 KB of")} {Field("TypeName")} {size}");
            }
        }
        else if (e.EventName?.StartsWith("GCStart", StringComparison.Ordinal) == true)
        {
            var reason = Convert.ToInt32(Field("Reason"));
            Count($"gen{Convert.ToInt32(Field("Depth"))} {(Convert.ToInt32(Field("Type")) == 1 ? "background" : "blocking")} ({(reason < Reasons.Length ? Reasons[reason] : reason.ToString(CultureInfo.InvariantCulture))})");
        }
    }

    private static readonly bool SampleAllocations = Environment.GetEnvironmentVariable("BENCH_ALLOCATIONS") == "1";

    private void Count(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public override string ToString() => string.Join(", ", _counts.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));
}
