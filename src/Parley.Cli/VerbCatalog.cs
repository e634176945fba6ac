using Parley.Cli.Verbs;

namespace Parley.Cli;

internal static class VerbCatalog
{
    public static IReadOnlyList<IVerb> All { get; } =
    [
        new UpVerb(), new StopVerb(), new StatusVerb(), new IdVerb(), new InviteVerb(), new AddVerb(),
        new PeersVerb(), new RequestsVerb(), new AcceptVerb(), new DenyVerb(), new BlockVerb(), new RenameVerb(),
        new SafetyVerb(), new ChatVerb(), new HistoryVerb(), new SendVerb(), new OffersVerb(), new AcceptOfferVerb(),
        new RejectOfferVerb(), new TransfersVerb(), new CancelVerb(), new AutoAcceptVerb(), new SettingsVerb(),
        new HubVerb(), new HubJoinVerb(), new WhoisVerb(), new RoomsVerb(), new RoomVerb(), new OpenVerb(), new VideosVerb(), new PlayVerb(), new CallVerb(), new AnswerVerb(), new HangupVerb(), new TurnCheckVerb(),
        new AttachVerb(), new SaveVerb(),
        new VoiceVerb(),
    ];

    public static IVerb? Find(string name) => All.FirstOrDefault(v => v.Name == name);
}
