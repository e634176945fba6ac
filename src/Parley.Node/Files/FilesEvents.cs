using Parley.Node.Events;

namespace Parley.Node.Files;

/// <summary>The event stream's file events; both carry a <see cref="TransferInfo"/>.</summary>
[EventNames]
public static class FilesEvents
{
    /// <summary>An offer arrived and waits for accept or reject.</summary>
    public const string Offer = "offer";

    /// <summary>A transfer changed, and every 0.5 s while it moves (progress bars).</summary>
    public const string Transfer = "transfer";
}
