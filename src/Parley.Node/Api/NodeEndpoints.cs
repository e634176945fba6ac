using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Node.Contacts;
using Parley.Node.Discovery;
using Parley.Node.Links;
using QRCoder;

namespace Parley.Node.Api;

/// <summary>Routes about the node itself: status, stop, its name, its invite (as text and as a QR code), and the event stream.</summary>
internal static class NodeEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/status", (NodeIdentity identity, NodeProfile profile, LinkManager links, ApiAddress address, DiscoveryService discovery, NodeOptions options) =>
            new NodeStatus(identity.DeviceId.ToString(), profile.Name, links.ListenPort, address.Url.ToString().TrimEnd('/'), discovery.Enabled, options.Home,
                Hello.CurrentVersion));
        api.MapPost("/stop", (NodeLifetime lifetime) =>
        {
            lifetime.RequestStop();
            return Results.Accepted();
        });
        api.MapGet("/invite", (NodeInvites invites) => new InviteView(invites.Create().ToString()));
        api.MapGet("/invite/qr.svg", (NodeInvites invites) =>
        {
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(invites.Create().ToString(), QRCodeGenerator.ECCLevel.M);
            var svg = new SvgQRCode(data).GetGraphic(new System.Drawing.Size(256, 256), "#000000", "#ffffff", drawQuietZones: true);
            return Results.Text(svg, "image/svg+xml");
        });
        api.MapPost("/name", async (RenameRequest body, NodeProfile profile, Hub.EntryPublisher directory) =>
        {
            await profile.SetNameAsync(DisplayNames.Validate(body.Name)).ConfigureAwait(false);
            directory.Republish(); // the hub's directory shows the new name
            return new NameView(profile.Name);
        });
        api.Map("/events", (HttpContext context, Events.EventHub events, NodeLifetime lifetime) => EventStream.ServeAsync(context, events, lifetime));
    }
}
