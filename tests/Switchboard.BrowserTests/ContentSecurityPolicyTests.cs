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

    [Fact]
    public async Task TheConsole_WorksUnderItsPolicy_WithoutViolations()
    {
        await using var context = await server.NewContextAsync();
        // Every violation the page reports, from the first script on (before the console's own code runs).
        await context.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
            """);
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                consoleErrors.Add(message.Text);
        };
        var sockets = new List<string>();
        page.WebSocket += (_, socket) => sockets.Add(socket.Url);
        try
        {
            var signIn = await page.GotoAsync("/sign-in");
            var policy = await signIn!.HeaderValueAsync("content-security-policy");
            Assert.Contains("script-src 'self';", policy);
            Assert.Contains("frame-ancestors 'none'", policy);
            await page.GetByLabel("Email", new() { Exact = true }).FillAsync(DemoServer.OwnerEmail);
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync(DemoServer.OwnerPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Inbox" }).First.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/inbox"));

            var rows = page.GetByTestId("conversation-row");
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
            Assert.Empty(await page.EvaluateAsync<string[]>("window.__cspViolations"));
            Assert.Empty(consoleErrors);
        }
        catch
        {
            await server.ScreenshotAsync(page, "failed-csp");
            throw;
        }
    }
}
