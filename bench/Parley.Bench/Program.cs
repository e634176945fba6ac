using BenchmarkDotNet.Running;
using Parley.Bench;

// dotnet run -c Release --project bench/Parley.Bench -- <chat|files|hub|hubmem|video|call|attack|rooms|rooms-churn|attachments|startup|micro|idle|room-call> [options]
var mode = args.FirstOrDefault() ?? "";
return mode switch
{
    "chat" => await ChatBench.RunAsync(args.Skip(1).ToArray()),
    "startup" => await StartupBench.RunAsync(args.Skip(1).ToArray()),
    "files" => await FileBench.RunAsync(args.Skip(1).ToArray()),
    "files-proc" => await FileProcessBench.RunAsync(args.Skip(1).ToArray()),
    "folders" => await FolderBench.RunAsync(args.Skip(1).ToArray()),
    "hub" => await HubBench.RunAsync(args.Skip(1).ToArray()),
    "video" => await VideoBench.RunAsync(args.Skip(1).ToArray()),
    "call" => await Parley.Bench.Calls.CallBench.RunAsync(args.Skip(1).ToArray()),
    "attack" => await Parley.Bench.Attacks.AttackBench.RunAsync(args.Skip(1).ToArray()),
    "rooms" => await Parley.Bench.Rooms.RoomsBench.RunAsync(args.Skip(1).ToArray()),
    "voice" => await VoiceBench.RunAsync(args.Skip(1).ToArray()),
    "rooms-churn" => await Parley.Bench.Rooms.RoomsChurnBench.RunAsync(args.Skip(1).ToArray()),
    "rooms-cluster" => await Parley.Bench.Rooms.RoomsClusterBench.RunAsync(args.Skip(1).ToArray()),
    "cluster-failover" => await ClusterFailoverBench.RunAsync(args.Skip(1).ToArray()),
    "attachments" => await Parley.Bench.Attachments.AttachmentBench.RunAsync(args.Skip(1).ToArray()),
    "hubmem" => await HubMem(),
    "micro" => RunMicro(args.Skip(1).ToArray()),
    "idle" => await Idle(),
    "room-call-forward" => await Parley.Bench.RoomCalls.RoomCallForwardBench.RunAsync(args.Skip(1).ToArray()),
    "bare-forward" => await Parley.Bench.RoomCalls.BareForwarder.RunAsync(batched: args.Contains("--batched")),
    "room-call" => await Parley.Bench.RoomCalls.RoomCallBench.RunAsync(args.Skip(1).ToArray()),
    "hub-link" => await Parley.Bench.RoomCalls.HubLinkBench.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static async Task<int> HubMem()
{
    await HubBench.ManagedPerLinkAsync(200);
    return 0;
}

static int RunMicro(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(FrameBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
    return 0;
}

// The runtime's own floor for the memory comparison: a .NET process that does nothing.
static async Task<int> Idle()
{
    Console.WriteLine("ready");
    await Task.Delay(TimeSpan.FromMinutes(2));
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Parley.Bench chat [--round-trips N] [--messages N] | files [--size-mib N] [--rounds N] | files-proc [--size-mib N] [--rounds N] [--parley-only] [--tmpfs-only] | folders [--rounds N] [--parley-only] [--cut-offs 16,32,64,128,256] | hub [--members N] [--cluster] | video [--size-mib N] | call [--seconds N] [--rounds N] [--webcodecs] [--loopback-only] [--apart-only] [--no-loss] | attack [--seconds N] [--only NAME] | rooms [--members N] [--runs N] [--messages N] [--catch-up N] [--pace N] [--fan-out 0] | rooms-churn [--messages N] [--seed N] [--keep] | cluster-failover [--rounds N] | rooms-cluster [--members N] [--runs N] [--messages N] [--rate POSTS/S] | attachments [--members N] [--mib N] | startup [--runs N] | voice [--runs N] | room-call-forward [--seconds N] [--participants 3,8,16] | room-call [--rounds N] [--seconds N] [--no-janus] | hub-link [--rounds N] [--rate N] [--seconds N] [--burst N] | micro [BenchmarkDotNet args]");
    return 2;
}
