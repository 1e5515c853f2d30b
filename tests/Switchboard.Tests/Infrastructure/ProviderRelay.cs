using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Tests.Infrastructure;

/// <summary>A real loopback address for the in-memory test server, so the provider simulator (a real HTTP client) can
/// deliver webhooks to it: every request is passed on unchanged (method, path, query, headers, body) and its answer back.</summary>
public sealed class ProviderRelay : IAsyncDisposable
{
    private readonly WebApplication app;

    private ProviderRelay(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<ProviderRelay> StartAsync(HttpClient target)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.Run(async context =>
        {
            using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            forward.Content = new ByteArrayContent(body.ToArray());
            foreach (var (name, values) in context.Request.Headers)
            {
                if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
                    forward.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
            using var answer = await target.SendAsync(forward);
            context.Response.StatusCode = (int)answer.StatusCode;
            await answer.Content.CopyToAsync(context.Response.Body);
        });
        await app.StartAsync();
        return new ProviderRelay(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
