using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.BrowserTests;

/// <summary>The console against the real server, one ordered flow: later scenarios (the audit log) check what earlier ones did.
/// Each test gets a fresh browser context and signs in through the UI.</summary>
[Collection(BrowserCollection.Name)]
[TestCaseOrderer(DeclarationOrderer.TypeName, DeclarationOrderer.AssemblyName)]
public sealed class ConsoleTests(SwitchboardServer server)
{
    private const string OwnerEmail = "owner@acme.test";
    private const string OwnerPassword = "Correct-Horse-42";
    private const string ContactName = "Ada Lovelace";
    private const string RenamedContact = "Ada King, Countess of Lovelace";
    private const int ImportedRows = 2000;

    /// <summary>CSV row numbers (the header is row 1) of the rows the import must reject, with the column it blames.</summary>
    private static readonly Dictionary<int, (string Line, string Field)> InvalidRows = new()
    {
        [10] = ("Bad Phone,not-a-phone,bad.phone@example.com,,yes", "phone"),
        [1000] = (",+15553999999,no.name@example.com,,", "name"),
        [2003] = ("Maybe Person,+15553999998,maybe@example.com,,maybe", "opt_in_sms"),
    };

    [Fact]
    public Task Setup_OnAnEmptyInstallation_LandsOnTheContactsPage() => WithPageAsync(async page =>
    {
        Assert.False(server.IsSetUp, "This test must run first, on the empty installation.");
        await SignInAsync(page);
        await Expect(page).ToHaveURLAsync(new Regex("/contacts$"));
        await server.ScreenshotAsync(page, "01-setup-contacts");
    });

    [Fact]
    public Task SignIn_WithAWrongPassword_ShowsAnError() => WithPageAsync(async page =>
    {
        await SignInAsync(page);
        await SignOutAsync(page);
        await FillSignInFormAsync(page, "not-the-password");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong email or password");
        await Expect(Heading(page, "Sign in")).ToBeVisibleAsync();
        await server.ScreenshotAsync(page, "02-sign-in-wrong-password");
    });

    [Fact]
    public Task SignOut_ThenSignIn_ShowsTheContactsPage() => WithPageAsync(async page =>
    {
        await SignInAsync(page);
        await SignOutAsync(page);
        await FillSignInFormAsync(page, OwnerPassword);
        await Expect(Heading(page, "Contacts")).ToBeVisibleAsync();
        await server.ScreenshotAsync(page, "03-signed-in-again");
    });

    [Fact]
    public Task Contact_CreatedAndRenamed_IsListedAndFoundBySearch() => WithPageAsync(async page =>
    {
        await SignInAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "New contact", Exact = true }).ClickAsync();
        await Expect(Heading(page, "New contact")).ToBeVisibleAsync();
        await Field(page, "Name").FillAsync(ContactName);
        await Field(page, "Email").FillAsync("ada@example.com");
        await Field(page, "Phone").FillAsync("+15551234567");
        await Field(page, "Tags").FillAsync("vip, newsletter");
        await SaveContactAsync(page);
        await Expect(page).ToHaveURLAsync(new Regex(@"/contacts/\d+$"));
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Contact created." })).ToBeVisibleAsync();
        await Expect(Heading(page, ContactName)).ToBeVisibleAsync();
        await server.ScreenshotAsync(page, "04-contact-created");

        await Field(page, "Name").FillAsync(RenamedContact);
        await SaveContactAsync(page);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Contact saved." })).ToBeVisibleAsync();
        await Expect(Heading(page, RenamedContact)).ToBeVisibleAsync();
        await server.ScreenshotAsync(page, "05-contact-renamed");

        await OpenNavAsync(page, "Contacts");
        var row = page.GetByTestId("contact-row").Filter(new() { HasText = RenamedContact });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("+15551234567");
        await Expect(row).ToContainTextAsync("vip");

        await Field(page, "Search contacts").FillAsync("countess");
        await Expect(page.GetByTestId("contact-row")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("contact-row")).ToContainTextAsync(RenamedContact);
        await server.ScreenshotAsync(page, "06-contacts-search");
    });

    [Fact]
    public Task CsvImport_CreatesTheValidRows_AndListsTheRejectedOnes() => WithPageAsync(async page =>
    {
        var csv = WriteImportFile();
        await SignInAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Import CSV", Exact = true }).ClickAsync();
        await Expect(Heading(page, "Import contacts")).ToBeVisibleAsync();
        await Field(page, "CSV file").SetInputFilesAsync(csv);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and import" }).ClickAsync();

        // The bar appears once the server accepted the file and stays, at 100 %, beside the result.
        var progress = page.GetByRole(AriaRole.Progressbar, new() { Name = "Import progress", Exact = true });
        await Expect(progress).ToBeVisibleAsync();
        var result = page.GetByTestId("import-result");
        await Expect(result).ToContainTextAsync($"Created {ImportedRows}", new() { Timeout = 60_000 });
        await Expect(result).ToContainTextAsync("Updated 0");
        await Expect(result).ToContainTextAsync($"Rejected {InvalidRows.Count}");
        await Expect(progress).ToHaveAttributeAsync("aria-valuenow", "100");

        var rejected = result.Locator("tbody tr");
        await Expect(rejected).ToHaveCountAsync(InvalidRows.Count);
        var rowNumbers = await rejected.Locator("td:nth-child(1)").AllInnerTextsAsync();
        var fields = await rejected.Locator("td:nth-child(2)").AllInnerTextsAsync();
        Assert.Equal(
            InvalidRows.Select(r => $"{r.Key} {r.Value.Field}").Order(),
            rowNumbers.Zip(fields, (number, field) => $"{number.Trim()} {field.Trim()}").Order());
        await server.ScreenshotAsync(page, "07-import-result");
    });

    [Fact]
    public Task AuditLog_ShowsSignInsContactChangesAndImports_AndSearchFilters() => WithPageAsync(async page =>
    {
        await SignInAsync(page);
        await OpenNavAsync(page, "Audit log");
        var rows = page.GetByTestId("audit-row");
        await Expect(rows.First).ToBeVisibleAsync();
        var actions = await rows.Locator("code.action").AllInnerTextsAsync();
        foreach (var expected in new[] { "identity.sign_in", "identity.sign_in_failed", "contacts.create", "contacts.update", "contacts.import" })
            Assert.Contains(expected, actions);
        await server.ScreenshotAsync(page, "08-audit-log");

        await Field(page, "Search audit log").FillAsync("contacts.import");
        // The test flow ran exactly one import; the search is debounced, so wait for the list to narrow down.
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("code.action")).ToHaveTextAsync("contacts.import");
        await server.ScreenshotAsync(page, "09-audit-log-search");
    });

    [Fact]
    public Task Shortcuts_SlashFocusesSearch_AndNOpensANewContact() => WithPageAsync(async page =>
    {
        await SignInAsync(page);
        // The page focuses its heading once mounted, in the same effects pass that installs the shortcuts.
        await Expect(Heading(page, "Contacts")).ToBeFocusedAsync();
        var search = Field(page, "Search contacts");

        await page.Keyboard.PressAsync("/");
        await Expect(search).ToBeFocusedAsync();
        await Expect(search).ToHaveValueAsync("");
        // While typing, a letter is text, not a shortcut.
        await page.Keyboard.PressAsync("n");
        await Expect(search).ToHaveValueAsync("n");
        await Expect(page).ToHaveURLAsync(new Regex("/contacts$"));

        await search.FillAsync("");
        await search.BlurAsync();
        await page.Keyboard.PressAsync("n");
        await Expect(page).ToHaveURLAsync(new Regex("/contacts/new$"));
        await Expect(Heading(page, "New contact")).ToBeVisibleAsync();
        await server.ScreenshotAsync(page, "10-shortcut-new-contact");
    });

    [Fact]
    public Task Platform_NewWorkspace_IsListed_AndCanBeSuspendedAndActivatedAgain() => WithPageAsync(async page =>
    {
        // The owner who set up the installation (first test) is its operator (superadmin), so the Platform page is theirs.
        await SignInAsync(page);
        await OpenNavAsync(page, "Platform");
        await page.GetByRole(AriaRole.Button, new() { Name = "New workspace", Exact = true }).ClickAsync();
        var form = page.GetByRole(AriaRole.Dialog, new() { Name = "New workspace", Exact = true });
        await Expect(form).ToBeVisibleAsync();
        await Field(page, "Workspace name").FillAsync("Globex");
        await Expect(Field(page, "Slug")).ToHaveValueAsync("globex");
        await Field(page, "Owner name").FillAsync("Hank Scorpio");
        await Field(page, "Owner email").FillAsync("owner@globex.test");
        await Field(page, "Owner password").FillAsync("password123");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create workspace", Exact = true }).ClickAsync();
        await Expect(form).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Globex was created." })).ToBeVisibleAsync();

        var row = page.GetByTestId("workspace-row").Filter(new() { HasText = "Globex" });
        var status = row.Locator("td .badge");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("globex");
        await Expect(status).ToHaveTextAsync("Active");
        // The operator's own workspace cannot be suspended from here.
        var current = page.GetByTestId("workspace-row").Filter(new() { HasText = "Acme Support" });
        await Expect(current.GetByRole(AriaRole.Button, new() { Name = "Suspend" })).ToBeDisabledAsync();
        await server.ScreenshotAsync(page, "11-platform-workspace-created");

        await row.GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog, new() { Name = "Suspend workspace?", Exact = true });
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Suspend workspace", Exact = true }).ClickAsync();
        await Expect(confirm).ToBeHiddenAsync();
        await Expect(status).ToHaveTextAsync("Suspended");
        await server.ScreenshotAsync(page, "12-platform-workspace-suspended");

        // The change is the server's, not just the page's: it survives a reload.
        await page.ReloadAsync();
        await Expect(status).ToHaveTextAsync("Suspended");
        await row.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        await Expect(status).ToHaveTextAsync("Active");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Suspend" })).ToBeEnabledAsync();
        await page.ReloadAsync();
        await Expect(status).ToHaveTextAsync("Active");
        await server.ScreenshotAsync(page, "13-platform-workspace-activated");
    });

    [Fact]
    public Task Channels_WebChatAndWhatsApp_AreConnected_WithTheirWebhookUrlAndFieldErrors() => WithPageAsync(async page =>
    {
        await SignInAsync(page);
        await OpenNavAsync(page, "Channels");
        await ConnectChannelAsync(page, "Web chat", "Website");
        await Field(page, "Allowed origins").FillAsync("https://www.example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect channel", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/channels/\d+$"));
        await Expect(Heading(page, "Website")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Website was connected." })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("webhook-url")).ToContainTextAsync("/widget/");
        await server.ScreenshotAsync(page, "14-channel-webchat-connected");

        await OpenNavAsync(page, "Channels");
        await ConnectChannelAsync(page, "WhatsApp Cloud API", "Support WhatsApp");
        await Field(page, "Phone number ID").FillAsync("abc");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect channel", Exact = true }).ClickAsync();
        await Expect(Field(page, "Phone number ID")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#channel-setting-phoneNumberId-error")).ToContainTextAsync("numeric phone number ID");
        await server.ScreenshotAsync(page, "15-channel-whatsapp-field-error");

        await Field(page, "Phone number ID").FillAsync("106540352242922");
        await Field(page, "Business account ID").FillAsync("419561257915477");
        await Field(page, "Access token").FillAsync("EAAG-test-access-token");
        await Field(page, "App secret").FillAsync("test-app-secret");
        await Field(page, "Verify token").FillAsync("test-verify-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect channel", Exact = true }).ClickAsync();
        await Expect(Heading(page, "Support WhatsApp")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("webhook-url")).ToContainTextAsync("/webhooks/whatsapp/");

        await OpenNavAsync(page, "Channels");
        var rows = page.GetByTestId("channel-row");
        await Expect(rows).ToHaveCountAsync(2);
        var whatsapp = rows.Filter(new() { HasText = "Support WhatsApp" });
        await Expect(whatsapp).ToContainTextAsync("WhatsApp Cloud API");
        await Expect(whatsapp.Locator("td .badge")).ToHaveTextAsync("Active");
        await Expect(rows.Filter(new() { HasText = "Website" })).ToContainTextAsync("Web chat");
        await server.ScreenshotAsync(page, "16-channels-listed");
    });

    /// <summary>Runs a test in a fresh browser context, keeping a screenshot of where it was if it fails.</summary>
    private async Task WithPageAsync(Func<IPage, Task> test, [CallerMemberName] string name = "")
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            await test(page);
        }
        catch
        {
            await server.ScreenshotAsync(page, $"failed-{name}");
            throw;
        }
    }

    /// <summary>Creates the workspace through the setup page on the first call (the installation starts empty), signs in later.</summary>
    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/");
        if (server.IsSetUp)
        {
            await Expect(page).ToHaveURLAsync(new Regex("/sign-in$"));
            await FillSignInFormAsync(page, OwnerPassword);
        }
        else
        {
            await Expect(page).ToHaveURLAsync(new Regex("/setup$"));
            await Field(page, "Company name").FillAsync("Acme Support");
            await Field(page, "Slug").FillAsync("acme-support");
            await Field(page, "Your name").FillAsync("Olivia Owner");
            await Field(page, "Email").FillAsync(OwnerEmail);
            await Field(page, "Password").FillAsync(OwnerPassword);
            await Field(page, "Confirm password").FillAsync(OwnerPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
            server.IsSetUp = true;
        }
        await Expect(Heading(page, "Contacts")).ToBeVisibleAsync();
    }

    private static async Task FillSignInFormAsync(IPage page, string password)
    {
        await Field(page, "Email").FillAsync(OwnerEmail);
        await Field(page, "Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        // A deliberate sign-out lands on a plain /sign-in; only an expired session keeps ?next=.
        await Expect(page).ToHaveURLAsync(new Regex(@"/sign-in$"));
        await Expect(Heading(page, "Sign in")).ToBeVisibleAsync();
    }

    /// <summary>From the Channels page: opens the connect form, chooses the type and names the channel.</summary>
    private static async Task ConnectChannelAsync(IPage page, string type, string name)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Connect a channel", Exact = true }).First.ClickAsync();
        await Expect(Heading(page, "Connect a channel")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = type, Exact = true }).CheckAsync();
        await Field(page, "Name").FillAsync(name);
    }

    private static Task SaveContactAsync(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Save contact" }).ClickAsync();

    private static async Task OpenNavAsync(IPage page, string label)
    {
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = label, Exact = true }).ClickAsync();
        await Expect(Heading(page, label)).ToBeVisibleAsync();
    }

    private static ILocator Field(IPage page, string label) => page.GetByLabel(label, new() { Exact = true });

    private static ILocator Heading(IPage page, string name) =>
        page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true, Level = 1 });

    /// <summary>2,000 new contacts with the invalid rows mixed in, so they fall into different commit batches.</summary>
    private string WriteImportFile()
    {
        var lines = Enumerable.Range(0, ImportedRows)
            .Select(i => $"Imported Contact {i},+1555200{i:D4},imported.{i}@example.com,imported;batch-a,{(i % 2 == 0 ? "yes" : "no")}")
            .ToList();
        // Ascending, so each insert lands on its final line: row N is line N - 2 below the header.
        foreach (var (row, invalid) in InvalidRows.OrderBy(r => r.Key))
            lines.Insert(row - 2, invalid.Line);
        var path = Path.Combine(server.FilesDirectory, "contacts-import.csv");
        File.WriteAllLines(path, ["name,phone,email,tags,opt_in_sms", .. lines]);
        return path;
    }
}
