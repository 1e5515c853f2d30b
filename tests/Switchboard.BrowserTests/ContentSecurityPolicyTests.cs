using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.BrowserTests;

/// <summary>The console works under its strict Content-Security-Policy: signing in, the live inbox (SignalR over
/// WebSockets), replying with a file and seeing the image, without a single violation; and a file downloads rather than
/// opening as a page of the console.</summary>
[Collection(InboxCollection.Name)]
public sealed class ContentSecurityPolicyTests(DemoServer server)
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /// <summary>Records every violation the context's pages report, from before their own scripts run.</summary>
    private static Task WatchViolationsAsync(IBrowserContext context) => context.AddInitScriptAsync("""
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
        """);

    private static async Task AssertNoViolationsAsync(IPage page, List<string> consoleErrors)
    {
        Assert.Empty(await page.EvaluateAsync<string[]>("window.__cspViolations"));
        Assert.Empty(consoleErrors);
    }

    /// <summary>A new page of <paramref name="context"/> whose WebSockets are added to <paramref name="sockets"/>, and the console
    /// errors it reports about the policy.</summary>
    private static async Task<(IPage Page, List<string> PolicyErrors)> OpenWatchedAsync(IBrowserContext context, List<string> sockets)
    {
        var page = await context.NewPageAsync();
        page.WebSocket += (_, socket) => sockets.Add(socket.Url);
        return (page, PolicyErrors(page));
    }

    /// <summary>Console errors about the policy (those the page's own listener cannot see, such as a refused WebSocket).</summary>
    private static List<string> PolicyErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                errors.Add(message.Text);
        };
        return errors;
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(DemoServer.OwnerEmail);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(DemoServer.OwnerPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TheConsole_WorksUnderItsPolicy_WithoutViolations()
    {
        await using var context = await server.NewContextAsync();
        await WatchViolationsAsync(context);
        var sockets = new List<string>();
        var (page, consoleErrors) = await OpenWatchedAsync(context, sockets);
        try
        {
            var signIn = await page.GotoAsync("/sign-in");
            var policy = await signIn!.HeaderValueAsync("content-security-policy");
            Assert.Contains("script-src 'self';", policy);
            Assert.Contains("frame-ancestors 'none'", policy);
            await SignInAsync(page);
            await page.GetByRole(AriaRole.Link, new() { Name = "Inbox" }).First.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/inbox"));

            // A simulated WhatsApp customer (whose phone reads replies), not the web-chat visitor the widget test may have left.
            var rows = page.GetByTestId("conversation-row").Filter(new() { HasNotText = "Website visitor" });
            await Expect(rows.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await rows.First.ClickAsync();
            await Expect(page.GetByTestId("message").First).ToBeVisibleAsync();

            // A reply with an image: uploaded, shown from this origin, its ticks moved by the hub.
            await page.Locator("#composer-file").SetInputFilesAsync(new FilePayload { Name = "photo.png", MimeType = "image/png", Buffer = Png });
            await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
            var image = page.Locator(".msg--out img.msg__image").Last;
            await Expect(image).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await image.ElementHandleAsync());
            await Expect(page.Locator(".msg--out").Last.GetByRole(AriaRole.Img, new() { Name = "Read" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await server.ScreenshotAsync(page, "csp-01-inbox");

            // Clicking the image downloads it (under the name the server gives), and the console stays where it was.
            var inbox = page.Url;
            var download = await page.RunAndWaitForDownloadAsync(() => image.ClickAsync());
            Assert.Equal("photo.png", download.SuggestedFilename);
            Assert.Equal(inbox, page.Url);

            Assert.Contains(sockets, url => url.Contains("/hubs/inbox", StringComparison.Ordinal));
            await AssertNoViolationsAsync(page, consoleErrors);
        }
        catch
        {
            await server.ScreenshotAsync(page, "failed-csp");
            throw;
        }
    }

    /// <summary>The chat widget's demo page (the widget as a site embeds it: script, API and hub from this server, styles in
    /// its shadow root) works under the page's own policy.</summary>
    [Fact]
    public async Task TheChatWidget_WorksUnderItsDemoPagesPolicy_WithoutViolations()
    {
        await using var context = await server.NewContextAsync();
        await WatchViolationsAsync(context);
        var sockets = new List<string>();
        var (page, consoleErrors) = await OpenWatchedAsync(context, sockets);
        try
        {
            await page.GotoAsync("/sign-in");
            await SignInAsync(page);
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Channels", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Connect a channel", Exact = true }).First.ClickAsync();
            await page.GetByRole(AriaRole.Radio, new() { Name = "Web chat", Exact = true }).CheckAsync();
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("CSP website");
            await page.GetByLabel("Allowed origins", new() { Exact = true }).FillAsync("https://www.example.com");
            await page.GetByRole(AriaRole.Button, new() { Name = "Connect channel", Exact = true }).ClickAsync();
            var widgetUrl = Regex.Match(await page.GetByTestId("webhook-url").InnerTextAsync(), @"https?://\S+/widget/\d+").Value;
            await AssertNoViolationsAsync(page, consoleErrors);

            var (demo, demoErrors) = await OpenWatchedAsync(context, sockets);
            await demo.GotoAsync(widgetUrl);
            await demo.GetByRole(AriaRole.Button, new() { Name = "Open chat" }).ClickAsync();
            await demo.GetByLabel("Message", new() { Exact = true }).FillAsync("Hello from the website");
            await demo.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
            await Expect(demo.GetByRole(AriaRole.Log, new() { Name = "Conversation" }).GetByText("Hello from the website")).ToBeVisibleAsync();
            await server.ScreenshotAsync(demo, "csp-02-widget");
            Assert.Contains(sockets, url => url.Contains("/hubs/widget", StringComparison.Ordinal));
            await AssertNoViolationsAsync(demo, demoErrors);
        }
        catch
        {
            await server.ScreenshotAsync(page, "failed-csp-widget");
            throw;
        }
    }

    /// <summary>Swagger UI at /api-docs renders the API under its own, slightly wider policy (inline styles, data: images).</summary>
    [Fact]
    public async Task TheApiDocs_RenderUnderTheirPolicy_WithoutViolations()
    {
        await using var context = await server.NewContextAsync();
        await WatchViolationsAsync(context);
        var page = await context.NewPageAsync();
        var consoleErrors = PolicyErrors(page);
        await page.GotoAsync("/api-docs/index.html");
        await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Switchboard API") })).ToBeVisibleAsync();
        await Expect(page.GetByText("/api/v1/conversations", new() { Exact = true }).First).ToBeVisibleAsync();
        await server.ScreenshotAsync(page, "csp-03-api-docs");
        await AssertNoViolationsAsync(page, consoleErrors);
    }
}
