using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Storage;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>Files people send (customers, outside mail senders, agents) never run as pages on the console's origin: every
/// route that streams one serves it through the one file response policy, and page types are not stored at all.</summary>
[Collection(ServerCollection.Name)]
public sealed class SecurityFileTests(Servers servers)
{
    private const string Shop = "https://shop.example";
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    private static readonly byte[] Svg = Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>fetch('/api/v1/auth/csrf')</script></svg>");
    private static readonly byte[] Html = Encoding.UTF8.GetBytes("<!doctype html><script>fetch('/api/v1/auth/csrf')</script>");

    /// <summary>A tenant whose web-chat visitor opened a conversation, so agents have somewhere to send files.</summary>
    private async Task<(TenantHandle Tenant, long ConversationId)> ConversationAsync(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "webchat", name = "Website", settings = new { allowedOrigins = new[] { Shop } },
        }, HttpStatusCode.Created);
        var session = await WebChatTests.StartAsync(tenant.Factory, channel.Id(), Shop, new { name = "Ada" });
        var visitor = tenant.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        visitor.DefaultRequestHeaders.Add("Origin", Shop);
        visitor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session["token"]!.GetValue<string>());
        await visitor.PostJsonAsync($"/widget-api/{channel.Id()}/messages", new { text = "Hello, can you send me the invoice?" }, HttpStatusCode.Created);
        return (tenant, (await tenant.Owner.GetJsonAsync("/api/v1/conversations")).Items().Single()!.AsObject().Id());
    }

    private static MultipartFormDataContent Upload(byte[] content, string type, string fileName) => new()
    {
        { new ByteArrayContent(content) { Headers = { ContentType = MediaTypeHeaderValue.Parse(type) } }, "file", fileName },
    };

    /// <summary>Files as they may already be stored (before page types were refused at the door), on a message of the
    /// conversation: what an agent's upload or a provider's download left behind.</summary>
    private static Task<List<(long AttachmentId, MediaFile File)>> StoreAsync(TenantHandle tenant, long conversationId,
        params (string Type, string? Name, byte[] Content)[] files) =>
        tenant.Factory.InTenantAsync(tenant.Id, async services =>
        {
            var db = services.GetRequiredService<SwitchboardDbContext>();
            var store = services.GetRequiredService<FileStore>();
            var message = await db.Messages.FirstAsync(m => m.ConversationId == conversationId);
            var stored = new List<(long AttachmentId, MediaFile File)>();
            foreach (var (type, name, content) in files)
            {
                var saved = await store.SaveAsync(tenant.Id, new MemoryStream(content), CancellationToken.None);
                var file = new MediaFile { StorageUrl = saved.Path, MimeType = type, FileSize = saved.Size, Sha256 = saved.Sha256, OriginalFilename = name, CreatedAt = tenant.Factory.Clock.GetUtcNow() };
                db.MediaFiles.Add(file);
                await db.SaveChangesAsync();
                var attachment = new MessageAttachment { MessageId = message.Id, Type = MessageType.Document, MimeType = type, Filename = name, MediaFileId = file.Id, CreatedAt = tenant.Factory.Clock.GetUtcNow() };
                db.MessageAttachments.Add(attachment);
                await db.SaveChangesAsync();
                stored.Add((attachment.Id, file));
            }
            return stored;
        });

    /// <summary>Both ways a stored file is fetched: an agent's <c>/api/v1/attachments/{id}</c> and the anonymous media link
    /// providers and web-chat visitors get.</summary>
    private static async Task<List<HttpResponseMessage>> FetchBothWaysAsync(TenantHandle tenant, long attachmentId, MediaFile file)
    {
        var link = tenant.Factory.Services.GetRequiredService<ChannelWebhookUrls>().PublicMediaUrl(file);
        return [await tenant.Owner.GetAsync($"/api/v1/attachments/{attachmentId}"), await tenant.Factory.CreateClient().GetAsync(link.PathAndQuery)];
    }

    private static async Task AssertServedAsync(HttpResponseMessage response, byte[] content, string type, string disposition, string fileName)
    {
        var route = response.RequestMessage!.RequestUri!.AbsolutePath;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{route}: {(int)response.StatusCode}");
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((route, type), (route, response.Content.Headers.ContentType?.MediaType));
        var named = response.Content.Headers.ContentDisposition;
        Assert.Equal((route, disposition, fileName), (route, named?.DispositionType, named?.FileNameStar ?? named?.FileName?.Trim('"')));
        Assert.Equal((route, "nosniff"), (route, string.Join(",", response.Headers.GetValues("X-Content-Type-Options"))));
        Assert.Equal((route, SecurityHeaders.NonDocumentPolicy), (route, string.Join(",", response.Headers.GetValues("Content-Security-Policy"))));
        Assert.Equal((route, true), (route, response.Headers.CacheControl?.Private));
    }

    [Theory, Providers]
    public async Task StoredFiles_AreServedAsDownloads_ExceptRasterImages_OnEveryFileRoute(DatabaseProvider provider)
    {
        var (tenant, conversationId) = await ConversationAsync(provider);
        var pdf = "%PDF-1.4 quote"u8.ToArray();
        var stored = await StoreAsync(tenant, conversationId,
            ("image/svg+xml", "a/", Svg),
            ("text/html", "invoice.html", Html),
            ("application/xhtml+xml", null, Html),
            ("image/png", "photo.png", Png),
            ("IMAGE/PNG; charset=binary", "..\\..\\evil.html", Png),
            ("application/pdf", "quote\u202Efdp.exe", pdf));
        var expected = new (byte[] Content, string Type, string Disposition, string Name)[]
        {
            (Svg, MediaTypes.Binary, "attachment", $"file-{stored[0].File.Id}.bin"),
            (Html, MediaTypes.Binary, "attachment", "invoice.html"),
            (Html, MediaTypes.Binary, "attachment", $"file-{stored[2].File.Id}.bin"),
            (Png, "image/png", "inline", "photo.png"),
            // A raster image's name always ends in an image extension: saved, it cannot become a page.
            (Png, "image/png", "inline", "evil.html.png"),
            // The right-to-left override that made it read "quoteexe.pdf" is gone; a document keeps its type but downloads.
            (pdf, "application/pdf", "attachment", "quotefdp.exe.pdf"),
        };
        foreach (var ((attachmentId, file), (content, type, disposition, name)) in stored.Zip(expected))
            foreach (var response in await FetchBothWaysAsync(tenant, attachmentId, file))
                await AssertServedAsync(response, content, type, disposition, name);
    }

    /// <summary>The whole class, not the routes above: no route streams a file but through the policy. Only the server's
    /// own content (the contact export it writes, the widget's script) is sent otherwise.</summary>
    [Fact]
    public async Task NoRoute_StreamsAFile_ButThroughTheFileResponsePolicy()
    {
        var factory = await servers.ForAsync(DatabaseProvider.Sqlite);
        Type[] rawFileResults = [typeof(FileStreamHttpResult), typeof(FileContentHttpResult), typeof(PhysicalFileHttpResult), typeof(PushStreamHttpResult)];
        string[] ownContent = ["api/v1/contacts/export"];
        var offenders = factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => !ownContent.Contains(e.RoutePattern.RawText?.TrimStart('/')))
            .Where(e => e.Metadata.GetMetadata<MethodInfo>() is { } handler && Mentions(handler.ReturnType, rawFileResults))
            .Select(e => e.RoutePattern.RawText).ToList();
        Assert.Empty(offenders);
        Assert.Contains(factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>(),
            e => e.Metadata.GetMetadata<MethodInfo>() is { } handler && Mentions(handler.ReturnType, [typeof(UserFileHttpResult)]));
    }

    private static bool Mentions(Type type, Type[] wanted) =>
        wanted.Contains(type) || (type.IsGenericType && type.GetGenericArguments().Any(t => Mentions(t, wanted)));

    [Theory, Providers]
    public async Task AnAgentsUpload_OfAPageType_IsRefused_AndANamelessImage_GetsAName(DatabaseProvider provider)
    {
        var (tenant, conversationId) = await ConversationAsync(provider);
        var agent = await tenant.ClientWithRoleAsync(Tenancy.Role.Agent);
        var url = $"/api/v1/conversations/{conversationId}/messages";
        var filesBefore = await tenant.Factory.QueryAsync(tenant.Id, db => db.MediaFiles.CountAsync());
        foreach (var (content, type, name) in new[] { (Svg, "image/svg+xml", "logo.svg"), (Html, "text/html; charset=utf-8", "page.html"), (Html, "application/xhtml+xml", "page.xhtml") })
        {
            var refused = await (await agent.PostAsync(url, Upload(content, type, name))).JsonAsync(HttpStatusCode.UnsupportedMediaType);
            Assert.Contains(type.Split(';')[0], refused["detail"]!.GetValue<string>());
        }
        Assert.Equal(filesBefore, await tenant.Factory.QueryAsync(tenant.Id, db => db.MediaFiles.CountAsync()));
        Assert.Equal(1, await tenant.Factory.QueryAsync(tenant.Id, db => db.Messages.CountAsync()));

        // "a/" has no file name left once its path is dropped: the image is served under one made from its id.
        var sent = await (await agent.PostAsync(url, Upload(Png, "image/png", "a/"))).JsonAsync(HttpStatusCode.Accepted);
        var attachment = sent["attachments"]!.AsArray().Single()!.AsObject();
        var file = await tenant.Factory.QueryAsync(tenant.Id, db => db.MediaFiles.SingleAsync(f => f.Id == db.MessageAttachments.Single(a => a.Id == attachment.Id()).MediaFileId));
        foreach (var response in await FetchBothWaysAsync(tenant, attachment.Id(), file))
            await AssertServedAsync(response, Png, "image/png", "inline", $"file-{file.Id}.png");
    }

    [Theory, Providers]
    public async Task AnOutsideSendersMail_WithPageTypedOrNamelessAttachments_StoresNoPage(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "email", name = "Postmark desk",
            settings = new { smtpHost = "127.0.0.1", smtpPort = 25, fromAddress = "help@acme.example", inboundProvider = "postmark", postmarkUser = "postmark", postmarkPassword = "inbound-secret" },
        }, HttpStatusCode.Created);
        JsonObject Attachment(string? name, string type, byte[] content)
        {
            var attachment = new JsonObject { ["Content"] = Convert.ToBase64String(content), ["ContentType"] = type, ["ContentLength"] = content.Length };
            if (name is not null)
                attachment["Name"] = name;
            return attachment;
        }
        var mail = new JsonObject
        {
            ["From"] = "mallory@outside.example", ["FromFull"] = new JsonObject { ["Email"] = "mallory@outside.example", ["Name"] = "Mallory" },
            ["To"] = "help@acme.example", ["Subject"] = "Your invoice", ["TextBody"] = "See attached.", ["MessageID"] = Guid.NewGuid().ToString(),
            ["Headers"] = new JsonArray(new JsonObject { ["Name"] = "Message-ID", ["Value"] = $"<{Guid.NewGuid():N}@outside.example>" }),
            ["Attachments"] = new JsonArray(Attachment(null, "text/html", Html), Attachment("logo.svg", "image/svg+xml", Svg), Attachment(null, "image/png", Png)),
        };
        var post = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/email/{channel.Id()}")
        {
            Content = Http.RawJson(mail.ToJsonString()),
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("postmark:inbound-secret"u8.ToArray())) },
        };
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().SendAsync(post)).StatusCode);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db =>
            (await db.MessageAttachments.ToListAsync()).Count(a => a.MediaFileId != null || a.Metadata.ContainsKey("rejected")) == 3);

        var attachments = await factory.QueryAsync(tenant.Id, db => db.MessageAttachments.OrderBy(a => a.Id).ToListAsync());
        Assert.Equal(["Files of type text/html are not stored.", "Files of type image/svg+xml are not stored."],
            attachments.Take(2).Select(a => a.Metadata["rejected"]?.GetValue<string>()));
        Assert.All(attachments.Take(2), a => Assert.Null(a.MediaFileId));
        Assert.Equal(1, await factory.QueryAsync(tenant.Id, db => db.MediaFiles.CountAsync()));
        var image = attachments[2];
        var file = await factory.QueryAsync(tenant.Id, db => db.MediaFiles.SingleAsync());
        foreach (var response in await FetchBothWaysAsync(tenant, image.Id, file))
            await AssertServedAsync(response, Png, "image/png", "inline", $"file-{file.Id}.png");
    }
}
