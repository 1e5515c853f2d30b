using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.BrowserTests;

/// <summary>Outbound webhooks from the console against the demo server: the secret rotated in Settings, a subscription
/// created on the Webhooks page, a signed test ping the receiver answers, and the delivery log with live inbox events and a
/// resend.</summary>
[Collection(InboxCollection.Name)]
public sealed class WebhooksTests(DemoServer server)
{
    [Fact]
    public async Task AWebhook_ReceivesASignedTestPing_AndInboxEvents_ListedInItsDeliveryLog()
    {
        using var receiver = new Receiver();
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync("/sign-in");
            await page.GetByLabel("Email", new() { Exact = true }).FillAsync(DemoServer.OwnerEmail);
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync(DemoServer.OwnerPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Webhooks", Exact = true }).ClickAsync();
            await Expect(Heading(page, "Webhooks")).ToBeVisibleAsync();

            // The signing help leads to the secret: rotate it there and keep the new one.
            await page.GetByRole(AriaRole.Link, new() { Name = "Settings → Webhook secret" }).ClickAsync();
            await Expect(Heading(page, "Settings")).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Rotate webhook secret", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret", Exact = true }).ClickAsync();
            var shown = page.GetByRole(AriaRole.Dialog, new() { Name = "New webhook secret" });
            var secret = await shown.GetByLabel("Webhook secret", new() { Exact = true }).InnerTextAsync();
            Assert.Matches("^[A-Za-z0-9_-]{40,}$", secret);
            await shown.GetByRole(AriaRole.Button, new() { Name = "Done", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks", Exact = true }).First.ClickAsync();
            await Expect(Heading(page, "Webhooks")).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Add a webhook|New webhook)$") }).First.ClickAsync();
            var form = page.GetByRole(AriaRole.Dialog, new() { Name = "New webhook" });
            await form.GetByLabel("Endpoint URL", new() { Exact = true }).FillAsync(receiver.Url);
            await form.GetByLabel(new Regex(@"^message\.created")).CheckAsync();
            await form.GetByLabel("Description", new() { Exact = true }).FillAsync("Browser test receiver");
            await form.GetByRole(AriaRole.Button, new() { Name = "Create webhook", Exact = true }).ClickAsync();
            var row = page.GetByTestId("webhook-row").Filter(new() { HasText = receiver.Url });
            await Expect(row).ToBeVisibleAsync();
            await Expect(row.GetByText("Active", new() { Exact = true })).ToBeVisibleAsync();

            // A test ping: the receiver's answer is shown, and the request was signed with the secret from Settings.
            await row.GetByRole(AriaRole.Button, new() { Name = $"Send test to {receiver.Url}", Exact = true }).ClickAsync();
            var result = page.GetByTestId("webhook-test-result");
            await Expect(result).ToContainTextAsync("HTTP 200", new() { Timeout = 20_000 });
            await Expect(result.GetByText("Delivered", new() { Exact = true })).ToBeVisibleAsync();
            await Expect(result).ToContainTextAsync("received");
            await server.ScreenshotAsync(page, "webhooks-01-test-ping");
            var ping = receiver.Requests.Single(r => r.Event == "ping");
            Assert.Equal(Receiver.Sign(secret, ping.Timestamp, ping.Body), ping.Signature);

            // The delivery log: the ping, then the customers' messages as they arrive.
            await page.GetByRole(AriaRole.Link, new() { Name = "Open the delivery log", Exact = true }).ClickAsync();
            await Expect(Heading(page, "Browser test receiver")).ToBeVisibleAsync();
            var deliveries = page.GetByTestId("delivery-row");
            await Expect(deliveries.Filter(new() { HasText = "ping" }).GetByText("Succeeded", new() { Exact = true })).ToBeVisibleAsync();
            var message = deliveries.Filter(new() { HasText = "message.created" });
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await message.CountAsync() == 0 && DateTime.UtcNow < deadline)
            {
                await page.WaitForTimeoutAsync(2000);
                await page.GetByRole(AriaRole.Button, new() { Name = "Refresh", Exact = true }).ClickAsync();
            }
            await Expect(message.First).ToBeVisibleAsync();
            await Expect(message.First.GetByText("Succeeded", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 15_000 });

            // Resend the ping: a new pending delivery at the top of the log, which then succeeds.
            var pingRow = deliveries.Filter(new() { HasText = "ping" }).First;
            await pingRow.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Details of delivery") }).ClickAsync();
            await Expect(page.Locator(".delivery-details").First).ToContainTextAsync("received");
            await pingRow.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Resend delivery") }).ClickAsync();
            await Expect(page.GetByText(new Regex(@"^Resent ping as delivery #\d+"))).ToBeVisibleAsync();
            await Expect(deliveries.First).ToContainTextAsync("ping");
            await server.ScreenshotAsync(page, "webhooks-02-delivery-log");
            await WaitUntilAsync(() => receiver.Requests.Count(r => r.Event == "ping") >= 2, TimeSpan.FromSeconds(15));
            var pings = receiver.Requests.Where(r => r.Event == "ping").ToList();
            Assert.Equal(pings[0].EventId, pings[1].EventId);
        }
        catch
        {
            await server.ScreenshotAsync(page, "failed-webhooks");
            throw;
        }
    }

    private static ILocator Heading(IPage page, string name) =>
        page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true, Level = 1 });

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The receiver did not get the expected request in time.");
            await Task.Delay(200);
        }
    }

    /// <summary>A webhook receiver on loopback that answers 200 with a small JSON body and keeps what it was sent.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Task loop;

        public Receiver()
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/switchboard/";
            }
            listener.Prefixes.Add(Url);
            listener.Start();
            loop = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public ConcurrentQueue<Received> Requests { get; } = new();

        public static string Sign(string secret, string timestamp, byte[] body)
        {
            byte[] signed = [.. Encoding.UTF8.GetBytes(timestamp + "."), .. body];
            return "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)).ToLowerInvariant();
        }

        private async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (!listener.IsListening)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    return;
                }
                using var buffer = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(buffer);
                var headers = context.Request.Headers;
                Requests.Enqueue(new Received(headers["X-Switchboard-Event"] ?? "", headers["X-Switchboard-Event-Id"] ?? "",
                    headers["X-Switchboard-Timestamp"] ?? "", headers["X-Switchboard-Signature"] ?? "", buffer.ToArray()));
                var answer = """{"received":true}"""u8.ToArray();
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(answer);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
            try
            {
                loop.Wait(TimeSpan.FromSeconds(2));
            }
            catch (AggregateException)
            {
                // Stopping the listener ends the loop with an exception; nothing to report.
            }
        }
    }

    private sealed record Received(string Event, string EventId, string Timestamp, string Signature, byte[] Body);
}
