using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>Browser-side protections on every answer: the console's pages run only this server's scripts and cannot be
/// framed, nothing is content-sniffed, no answer that is not a page can run as one, HTTPS is pinned; and the chat widget
/// stays embeddable on the tenants' sites.</summary>
[Collection(ServerCollection.Name)]
public sealed partial class SecurityHeadersTests(Servers servers)
{
    private const string Shop = "https://shop.example";

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    private static void AssertEveryAnswersHeaders(HttpResponseMessage response)
    {
        var what = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.PathAndQuery} ({(int)response.StatusCode})";
        Assert.Equal((what, "nosniff"), (what, Header(response, "X-Content-Type-Options")));
        Assert.Equal((what, "DENY"), (what, Header(response, "X-Frame-Options")));
        Assert.Equal((what, "same-origin"), (what, Header(response, "Referrer-Policy")));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
    }

    [Fact]
    public async Task TheConsole_RunsOnlyItsOwnScriptsAndStyles_AndCannotBeFramed()
    {
        var client = (await servers.ForAsync(DatabaseProvider.Sqlite)).CreateClient();
        foreach (var page in new[] { "/", "/inbox/12", "/sign-in" })
        {
            var response = await client.GetAsync(page);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            AssertEveryAnswersHeaders(response);
            var policy = Header(response, "Content-Security-Policy");
            Assert.Equal(SecurityHeaders.ConsolePolicy, policy);
            Assert.Contains("script-src 'self';", policy);
            Assert.DoesNotContain("unsafe", policy);
            // The built console must not need more than its policy allows: no inline script or style in its page.
            var html = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch(InlineScript(), html);
            Assert.DoesNotContain("<style", html);
            Assert.DoesNotContain(" style=", html);
        }
    }

    /// <summary>API answers, problems, health, the OpenAPI document, the hub's negotiation, unknown paths, static files: if
    /// a browser is led to open one as a page, it runs nothing.</summary>
    [Fact]
    public async Task EveryAnswerThatIsNotAPage_IsSandboxed_AndNeverSniffed()
    {
        var factory = await servers.ForAsync(DatabaseProvider.Sqlite);
        var tenant = await factory.CreateTenantAsync();
        var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var answers = new List<HttpResponseMessage>
        {
            await tenant.Owner.GetAsync("/api/v1/conversations"),
            await tenant.Owner.GetAsync("/api/v1/attachments/999999999"),
            await tenant.Owner.PostAsync("/api/v1/contacts", new StringContent("{", System.Text.Encoding.UTF8, "application/json")),
            await anonymous.GetAsync("/api/v1/conversations"),
            await anonymous.GetAsync("/api/v1/no-such-route"),
            await anonymous.GetAsync("/health/live"),
            await anonymous.GetAsync("/openapi/v1.json"),
            await anonymous.GetAsync("/media/forged-token"),
            await tenant.Owner.PostAsync("/hubs/inbox/negotiate?negotiateVersion=1", null),
        };
        foreach (var response in answers)
        {
            AssertEveryAnswersHeaders(response);
            Assert.Equal(SecurityHeaders.NonDocumentPolicy, Header(response, "Content-Security-Policy"));
        }
    }

    [Fact]
    public async Task TheApiDocs_KeepAPolicyOfTheirOwn_ThatStillForbidsForeignAndInlineScripts()
    {
        var client = (await servers.ForAsync(DatabaseProvider.Sqlite)).CreateClient();
        var page = await client.GetAsync("/api-docs/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        AssertEveryAnswersHeaders(page);
        Assert.Equal(SecurityHeaders.ApiDocsPolicy, Header(page, "Content-Security-Policy"));
        Assert.Contains("script-src 'self';", SecurityHeaders.ApiDocsPolicy);
        // Swagger UI loads its code from files; an inline script would be refused by its policy.
        Assert.DoesNotMatch(InlineScript(), await page.Content.ReadAsStringAsync());
    }

    /// <summary>The widget lives on the tenants' sites: its script and API are fetched cross-origin (CORS, not framing), so
    /// the headers that keep the console out of frames leave it working; its demo page allows the widget's inline styles
    /// but scripts only from the widget's server.</summary>
    [Fact]
    public async Task TheChatWidget_StaysEmbeddableOnTheTenantsSites()
    {
        var factory = await servers.ForAsync(DatabaseProvider.Sqlite);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "webchat", name = "Website", settings = new { allowedOrigins = new[] { Shop } },
        }, HttpStatusCode.Created);
        var site = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        site.DefaultRequestHeaders.Add("Origin", Shop);

        var settings = await site.GetAsync($"/widget-api/{channel.Id()}/");
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.Equal(Shop, Header(settings, "Access-Control-Allow-Origin"));
        Assert.False(settings.Headers.Contains("Cross-Origin-Resource-Policy"));
        var script = await site.GetAsync($"/widget/{channel.Id()}.js");
        Assert.False(script.Headers.Contains("Cross-Origin-Resource-Policy"));
        AssertEveryAnswersHeaders(script);

        var demo = await site.GetAsync($"/widget/{channel.Id()}");
        Assert.Equal(HttpStatusCode.OK, demo.StatusCode);
        AssertEveryAnswersHeaders(demo);
        var policy = Header(demo, "Content-Security-Policy");
        var origin = demo.RequestMessage!.RequestUri!.GetLeftPart(UriPartial.Authority);
        Assert.Contains($"script-src 'self' {origin};", policy);
        Assert.Contains("style-src 'self' 'unsafe-inline';", policy);
        Assert.Contains($"connect-src 'self' {origin} ws{origin["http".Length..]};", policy);
        Assert.Equal(1, Regex.Count(await demo.Content.ReadAsStringAsync(), "<script"));
    }

    [Fact]
    public async Task StrictTransportSecurity_IsSentOverHttpsOnly()
    {
        var factory = await servers.ForAsync(DatabaseProvider.Sqlite);
        var secure = await factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://switchboard.example") }).GetAsync("/health/live");
        Assert.Equal("max-age=31536000", Header(secure, "Strict-Transport-Security"));
        var plain = await factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://switchboard.example") }).GetAsync("/health/live");
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
    }

    /// <summary>A script element that carries its code rather than a src.</summary>
    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
