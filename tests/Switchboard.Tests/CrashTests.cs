using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>Promises kept across a real crash: the server runs as a child process and is killed outright mid-way.</summary>
public sealed class CrashTests
{
    [Fact]
    public async Task AServerKilledWhileTheSmtpServerHoldsTheMessage_NeverSendsItAgain_AndTellsTheAgent()
    {
        var data = Path.Combine(Path.GetTempPath(), "switchboard-crash-" + Guid.NewGuid().ToString("N"));
        await using var smtp = new FakeSmtpServer { StallAfterData = true };
        var settings = new Dictionary<string, string>
        {
            ["Network__AllowedOutboundNetworks__0"] = "127.0.0.0/8", ["Jobs__Lease"] = "00:00:03", ["Jobs__PollInterval"] = "00:00:00.200",
        };
        try
        {
            var (code, stdout, stderr) = await ServerProcess.RunCommandAsync(data, "tenant", "create", "--name", "Acme", "--slug", "acme",
                "--owner-email", "o@acme.test", "--owner-password", "password123");
            Assert.True(code == 0, stderr);
            var apiKey = JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!["apiKey"]!.GetValue<string>();

            long conversationId, replyId;
            await using (var first = await ServerProcess.StartAsync(data, settings))
            {
                using var api = Client(first, apiKey);
                var channelId = (await api.PostJsonAsync("/api/v1/channels", new
                {
                    type = "email", name = "Help desk",
                    settings = new
                    {
                        smtpHost = smtp.Host, smtpPort = smtp.Port, fromAddress = EmailTests.HelpDesk, inboundProvider = "mailgun",
                        mailgunSigningKey = EmailTests.SigningKey,
                    },
                }, HttpStatusCode.Created)).Id();
                using var mailgun = new HttpClient { BaseAddress = first.BaseAddress };
                var inbound = await mailgun.SendAsync(EmailTests.Mailgun(channelId,
                    new EmailTests.Mail(EmailTests.Id("first"), "Order 7", "Where is my order?"), DateTimeOffset.UtcNow));
                Assert.Equal(HttpStatusCode.OK, inbound.StatusCode);
                conversationId = (await EventuallyAsync(async () => (await api.GetJsonAsync("/api/v1/conversations")).Items().FirstOrDefault()))["id"]!
                    .GetValue<long>();
                replyId = (await api.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = "It ships today." },
                    HttpStatusCode.Accepted)).Id();

                // The SMTP server has the whole message and has not answered: the server dies now.
                await EventuallyAsync(() => Task.FromResult(smtp.Messages.IsEmpty ? null : "handed over"));
                await first.KillAsync();
            }

            await using var second = await ServerProcess.StartAsync(data, settings);
            using var again = Client(second, apiKey);
            var reply = await EventuallyAsync(async () => (await again.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).Items()
                .FirstOrDefault(m => m!["id"]!.GetValue<long>() == replyId && m["status"]!.GetValue<string>() == "failed"));
            Assert.Equal("send_unconfirmed", reply["errorCode"]!.GetValue<string>());
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Single(smtp.Messages);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AWebhookAnsweredJustBeforeTheServerDies_IsFiledAfterTheRestart()
    {
        // 200 means stored: the server dies before it processed anything (its background work is off here), and the message is
        // in the inbox once it is back.
        var data = Path.Combine(Path.GetTempPath(), "switchboard-crash-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, stderr) = await ServerProcess.RunCommandAsync(data, "tenant", "create", "--name", "Acme", "--slug", "acme",
                "--owner-email", "o@acme.test", "--owner-password", "password123");
            Assert.True(code == 0, stderr);
            var apiKey = JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!["apiKey"]!.GetValue<string>();
            await using (var first = await ServerProcess.StartAsync(data, new Dictionary<string, string> { ["Jobs__Enabled"] = "false" }))
            {
                using var api = Client(first, apiKey);
                var channelId = (await api.PostJsonAsync("/api/v1/channels", new
                {
                    type = "email", name = "Help desk",
                    settings = new { smtpHost = "smtp.example.com", smtpPort = 587, fromAddress = EmailTests.HelpDesk, inboundProvider = "mailgun",
                        mailgunSigningKey = EmailTests.SigningKey },
                }, HttpStatusCode.Created)).Id();
                using var mailgun = new HttpClient { BaseAddress = first.BaseAddress };
                var answer = await mailgun.SendAsync(EmailTests.Mailgun(channelId,
                    new EmailTests.Mail(EmailTests.Id("last-words"), "Urgent", "Please call me back"), DateTimeOffset.UtcNow));
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                await first.KillAsync();
            }

            await using var second = await ServerProcess.StartAsync(data, new Dictionary<string, string>());
            using var again = Client(second, apiKey);
            var conversation = await EventuallyAsync(async () => (await again.GetJsonAsync("/api/v1/conversations")).Items().FirstOrDefault());
            Assert.Contains("Please call me back", conversation["lastMessagePreview"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static HttpClient Client(ServerProcess server, string apiKey) => new()
    {
        BaseAddress = server.BaseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", apiKey) },
    };

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe) where T : class
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            if (await probe() is { } found)
                return found;
        }
        throw new TimeoutException("The condition was not met within 30 s.");
    }
}
