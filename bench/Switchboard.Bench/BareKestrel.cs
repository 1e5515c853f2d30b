using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Switchboard.Bench;

/// <summary>The ceiling the webhook endpoint is measured against: Kestrel with routing and one POST endpoint at the same
/// path that reads the whole body (as the real one does) and answers 200 — no database, no signature, no pipeline.</summary>
public sealed class BareKestrel : IAsyncDisposable
{
    private readonly WebApplication app;

    private BareKestrel(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<BareKestrel> StartAsync()
    {
        var address = new Uri($"http://127.0.0.1:{BenchServer.FreePort()}");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.WebHost.UseUrls(address.ToString());
        var app = builder.Build();
        app.MapPost("/webhooks/whatsapp/{channelId:long}", async (long channelId, HttpRequest request, CancellationToken cancellationToken) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray().Length > 0 && channelId > 0 ? Results.Ok() : Results.BadRequest();
        });
        await app.StartAsync();
        return new BareKestrel(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
