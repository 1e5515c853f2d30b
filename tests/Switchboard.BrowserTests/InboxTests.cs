using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.BrowserTests;

/// <summary>The server in demo mode: the provider simulator inside it and simulated customers writing to a WhatsApp channel.</summary>
public sealed class DemoServer : SwitchboardServer
{
    public const string OwnerEmail = "demo@switchboard.example";
    public const string OwnerPassword = "switchboard-demo";

    protected override string Name => "demo-server";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Demo__Enabled"] = "true",
        ["Simulator__Customers__IntervalSeconds"] = "4",
        ["Simulator__Customers__ReplyDelaySeconds"] = "1",
    };
}

[CollectionDefinition(Name)]
public sealed class InboxCollection : ICollectionFixture<DemoServer>
{
    public const string Name = "Inbox";
}

/// <summary>The live inbox against real messaging: a simulated customer's message appears without a reload, the agent
/// replies, the ticks advance to read as the simulator's signed status webhooks come in, and the customer's answer
/// arrives live in the open thread.</summary>
[Collection(InboxCollection.Name)]
public sealed class InboxTests(DemoServer server)
{
    [Fact]
    public async Task ACustomersMessage_AppearsLive_TheAgentReplies_AndTheTicksAdvance()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync("/sign-in");
            await page.GetByLabel("Email", new() { Exact = true }).FillAsync(DemoServer.OwnerEmail);
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync(DemoServer.OwnerPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Inbox" }).First.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/inbox"));
            // Customers' conversations start as new: the inbox opens on the New tab without being told.
            var newTab = page.GetByRole(AriaRole.Tab, new() { NameRegex = new Regex("^New") });
            await Expect(newTab).ToHaveAttributeAsync("aria-selected", "true");

            // Customers write every few seconds; the list fills without a reload, and the tab counts what it lists.
            var rows = page.GetByTestId("conversation-row");
            await Expect(rows.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await ExpectTabCountsRowsAsync(newTab, rows);
            await server.ScreenshotAsync(page, "inbox-01-live-list");
            await rows.First.ClickAsync();
            var messages = page.GetByTestId("message");
            await Expect(messages.First).ToBeVisibleAsync();
            var before = await page.Locator(".msg--in").CountAsync();

            var reply = page.GetByLabel("Reply", new() { Exact = true });
            await reply.FillAsync("Thanks for writing — let me check that for you.");
            await reply.PressAsync("Enter");
            var sent = page.Locator(".msg--out").Filter(new() { HasText = "let me check that for you" });
            await Expect(sent).ToBeVisibleAsync();
            await Expect(sent.GetByRole(AriaRole.Img, new() { Name = "Read" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await server.ScreenshotAsync(page, "inbox-02-read");

            // The customer answers once they have read it: the new message arrives in the open thread.
            await Expect(page.Locator(".msg--in")).ToHaveCountAsync(before + 1, new() { Timeout = 20_000 });
            await server.ScreenshotAsync(page, "inbox-03-customer-answered");
        }
        catch
        {
            await server.ScreenshotAsync(page, "failed-inbox");
            throw;
        }
    }

    [Fact]
    public async Task WhatsAppTemplates_SyncedFromMeta_AreListedOnTheChannelPage()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            await SignInAsync(page);
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Channels", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Demo WhatsApp", Exact = true }).ClickAsync();
            var templates = page.GetByRole(AriaRole.Region, new() { Name = "Templates", Exact = true });
            await Expect(templates).ToBeVisibleAsync();

            await templates.GetByRole(AriaRole.Button, new() { Name = "Sync from Meta", Exact = true }).ClickAsync();
            await Expect(templates.GetByText(new Regex(@"^Synced \d+ templates? from Meta"))).ToBeVisibleAsync(new() { Timeout = 20_000 });
            var helloWorld = templates.GetByTestId("template-row").Filter(new() { HasText = "hello_world" });
            await Expect(helloWorld).ToBeVisibleAsync();
            await Expect(helloWorld.GetByText("Approved", new() { Exact = true })).ToBeVisibleAsync();
            await server.ScreenshotAsync(page, "inbox-04-channel-templates");
        }
        catch
        {
            await server.ScreenshotAsync(page, "failed-templates");
            throw;
        }
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(DemoServer.OwnerEmail);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(DemoServer.OwnerPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToBeVisibleAsync();
    }

    /// <summary>Waits until the tab's count equals the rows listed (new conversations keep arriving, so it may take a moment).</summary>
    private static async Task ExpectTabCountsRowsAsync(ILocator tab, ILocator rows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string? count = null;
        int listed = 0;
        while (DateTime.UtcNow < deadline)
        {
            count = await tab.Locator(".inbox-tab__count").InnerTextAsync();
            listed = await rows.CountAsync();
            if (count == listed.ToString(System.Globalization.CultureInfo.InvariantCulture))
                return;
            await Task.Delay(250);
        }
        Assert.Fail($"The tab shows {count} while {listed} conversations are listed.");
    }
}
