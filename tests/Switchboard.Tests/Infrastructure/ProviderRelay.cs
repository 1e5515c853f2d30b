using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Infrastructure;

/// <summary>A real loopback address for the in-memory test server, so the provider simulator (a real HTTP client) can
/// deliver webhooks to it: every request is passed on unchanged (method, path, query, headers, body) and its answer back.</summary>
public static class ProviderRelay
{
    public static Task<LoopbackApp> StartAsync(HttpClient target) => LoopbackApp.StartAsync(app => app.Run(async context =>
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
    }));
}
