using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.FileProviders;
using Microsoft.OpenApi;
using Switchboard.Audit;
using Switchboard.Channels;
using Switchboard.Channels.Email;
using Switchboard.Channels.Twilio;
using Switchboard.Channels.WebChat;
using Switchboard.Channels.WhatsApp;
using Switchboard.Conversations;
using Switchboard.Conversations.Outbound;
using Switchboard.Platform.Storage;
using Switchboard.Contacts;
using Switchboard.Demo;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Health;
using Switchboard.Platform.Http;
using Switchboard.Platform.Jobs;
using Switchboard.Platform.Network;
using Switchboard.Platform.Retention;
using Switchboard.Platform.Security;
using Switchboard.Tenancy;
using Switchboard.Webhooks;

namespace Switchboard;

/// <summary>Wires the modules into one host: services in <see cref="AddSwitchboard"/>, the pipeline and routes in
/// <see cref="UseSwitchboard"/>.</summary>
public static class Composition
{
    public static WebApplicationBuilder AddSwitchboard(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();

        services.AddSwitchboardDatabase(configuration);
        services.AddSwitchboardDataProtection(configuration);

        services.AddSwitchboardIdentity(configuration);
        services.AddScoped<TenantProvisioning>();
        services.AddScoped<AuditWriter>();
        services.AddScoped<AuditDetails>();
        services.AddScoped<ContactService>();
        services.AddOutboundGuard(configuration);
        services.AddHttpClient(ChannelConnectionTester.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15)).UseOutboundGuard();
        services.AddScoped<ChannelConnectionTester>();
        services.AddSingleton(configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions());
        services.AddSingleton<FileStore>();
        services.AddSingleton<ChannelWebhookUrls>();
        services.AddSwitchboardInbox(configuration);
        services.AddSwitchboardWebChat(configuration);
        builder.AddDemoMode();
        services.AddSwitchboardWebhooks(configuration);

        var jobOptions = configuration.GetSection(JobOptions.Section).Get<JobOptions>() ?? new JobOptions();
        services.AddSingleton(jobOptions);
        services.AddSingleton<JobSignal>();
        services.AddRetention(configuration);
        services.AddSingleton<IRetentionRule, DeadJobRetention>();
        services.AddScoped<JobQueue>();
        services.AddScoped<IJobHandler, ContactImportJob>();
        if (jobOptions.Enabled)
            services.AddHostedService<JobWorker>();

        services.Configure<JsonOptions>(o =>
        {
            // Enums travel as their camelCase names only; a number or an unknown name is a 400.
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            o.SerializerOptions.Converters.Add(new StorableStrings());
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier));
        services.AddSwitchboardHealth();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo { Title = "Switchboard API", Version = "v1", Description = "Multi-tenant omnichannel contact center." };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key: Authorization: Bearer sb_...",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] }];
            return Task.CompletedTask;
        }).AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var body = context.Description.ActionDescriptor.EndpointMetadata.OfType<DocumentedBody>().FirstOrDefault();
            if (body is not null && operation.RequestBody?.Content?.TryGetValue("application/json", out var json) == true)
                json.Schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
        }));
        return builder;
    }

    /// <summary>Conversations, messaging and the channel adapters that feed them.</summary>
    private static void AddSwitchboardInbox(this IServiceCollection services, IConfiguration configuration)
    {
        // Every hub call and, periodically or on an access change, every open connection is checked again (LiveConnections).
        services.AddSignalR().AddHubOptions<InboxHub>(o => o.AddFilter<LiveConnectionFilter>());
        services.AddLiveConnections(configuration);
        services.AddHostedService<InboxHubRelay>();
        services.AddSingleton<InboxClock>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxClock>());
        services.AddScoped<ConversationViews>();
        services.AddScoped<InboxEvents>();
        services.AddScoped<InboundMessages>();
        services.AddScoped<MessageStatuses>();
        services.AddScoped<OutboundMessages>();
        services.AddScoped<ConversationOwnership>();
        services.AddSingleton(configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions());
        services.AddSingleton<ChannelRateLimiter>();
        services.AddScoped<IJobHandler, MessageSendJob>();
        services.AddScoped<IJobHandler, MediaDownloadJob>();
        services.AddSingleton<IRetentionRule, UnlinkedFileRetention>();
        services.AddScoped<WebhookInbox>();
        services.AddSingleton<WebhookChannelCache>();
        services.AddSingleton<WebhookWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookWriter>());
        services.AddSingleton(configuration.GetSection(WebhookProcessingOptions.Section).Get<WebhookProcessingOptions>() ?? new WebhookProcessingOptions());
        foreach (var type in RetiredWebhookJob.Types)
            services.AddScoped<IJobHandler>(sp => new RetiredWebhookJob(type, sp.GetRequiredService<SwitchboardDbContext>()));
        services.AddSingleton<IRetentionRule, WebhookEventRetention>();
        services.AddSingleton<WebhookProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookProcessor>());
        services.AddScoped<IWebhookReader, WhatsAppWebhookReader>();
        services.AddScoped<IChannelSender, WhatsAppSender>();
        services.AddScoped<IMediaFetcher, WhatsAppMediaFetcher>();
        services.AddScoped<IWebhookReader, TwilioWebhookReader>();
        services.AddScoped<IChannelSender, TwilioSender>();
        services.AddScoped<IMediaFetcher, TwilioMediaFetcher>();
        services.AddScoped<IWebhookReader, EmailWebhookReader>();
        services.AddScoped<IChannelSender, EmailSender>();
        services.AddScoped<IMediaFetcher, EmailAttachmentFetcher>();
        // Inbox management: assignment/transfer and template sync (Meta's templates, Twilio's Content templates).
        services.AddScoped<ConversationAssignments>();
        services.AddScoped<ITemplateSource, WhatsAppTemplates>();
        services.AddScoped<ITemplateSource, TwilioContentTemplates>();
    }

    /// <summary>Outbound webhooks: inbox events become signed deliveries to the tenant's subscribed URLs.</summary>
    private static void AddSwitchboardWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(OutboundWebhookOptions.Section).Get<OutboundWebhookOptions>() ?? new OutboundWebhookOptions();
        services.AddSingleton(options);
        services.AddHttpClient(WebhookSender.HttpClientName).UseOutboundGuard();
        services.AddScoped<WebhookSender>();
        services.AddScoped<WebhookOutbox>();
        services.AddScoped<IInboxEventSink, WebhookEventSink>();
        services.AddScoped<IJobHandler, WebhookDeliveryJob>();
        services.AddSingleton<IRetentionRule, WebhookDeliveryRetention>();
    }

    /// <summary>The website chat (docs/providers.md): the widget's API and hub, its visitors' tokens, per-channel CORS and
    /// rate limits, and the sender that delivers agents' replies to the widget.</summary>
    private static void AddSwitchboardWebChat(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(WebChatOptions.Section).Get<WebChatOptions>() ?? new WebChatOptions();
        services.AddSingleton(options);
        services.AddCors();
        services.AddTransient<ICorsPolicyProvider, WebChatCorsPolicyProvider>();
        services.AddRateLimiter(o => WebChatRateLimits.Add(o, options));
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, VisitorAuthenticationHandler>(VisitorAuthentication.Scheme, null);
        services.AddAuthorizationBuilder().AddPolicy(VisitorAuthentication.Policy,
            policy => policy.AddAuthenticationSchemes(VisitorAuthentication.Scheme).RequireAuthenticatedUser());
        services.AddScoped<VisitorThread>();
        services.AddScoped<IChannelSender, WebChatSender>();
    }

    public static WebApplication UseSwitchboard(this WebApplication app)
    {
        // Behind a load balancer the client's address (rate limits, audit IP) and scheme (secure cookies) come from
        // X-Forwarded-* headers, trusted only from the proxies listed in Network:KnownProxies.
        var proxies = app.Configuration.GetSection("Network:KnownProxies").Get<string[]>() ?? [];
        if (proxies.Length > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            foreach (var proxy in proxies)
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            app.UseForwardedHeaders(forwarded);
        }
        app.UseSecurityHeaders();
        app.UseHsts();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        // Before rate limits and authentication, so the widget can read their 429s and 401s too.
        app.UseCors();
        app.UseMiddleware<BodySizeLimitMiddleware>();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseTenantContext();
        app.UseCsrfProtection();
        app.UseAuthorization();

        var api = app.MapGroup("/api/v1").RequireAuthorization().AddEndpointFilter<AuditFilter>();
        api.MapAuthApi();
        api.MapTenantApi();
        api.MapUsersApi();
        api.MapMeApi();
        api.MapDepartmentsApi();
        api.MapApiKeysApi();
        api.MapAuditApi();
        api.MapContactsApi();
        api.MapChannelsApi();
        api.MapConversationsApi();
        api.MapWebhooksApi();
        // Inbox management (docs/inbox-api.md): notes, tags, assignment and transfer, canned responses, templates.
        api.MapNotesApi();
        api.MapConversationTagsApi();
        api.MapSlaPoliciesApi();
        api.MapAssignmentsApi();
        api.MapCannedResponsesApi();
        api.MapMessageTemplatesApi();
        api.MapPlatformApi();

        app.MapWhatsAppWebhooks();
        app.MapTwilioWebhooks();
        app.MapEmailWebhooks();
        app.MapMediaLinks();
        app.MapHub<InboxHub>(InboxHub.Path);
        app.MapWebChat();
        app.MapDemoMode();
        app.MapSwitchboardHealth();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/openapi/v1.json", "Switchboard API v1");
            o.RoutePrefix = "api-docs";
            o.DocumentTitle = "Switchboard API";
        });
        app.MapConsole();
        return app;
    }

    /// <summary>Serves the built console (web/console/dist, copied to console/ beside the binaries at build). Requests no
    /// endpoint took get index.html (client-side routes), except under /api: an unknown API route stays a 404 problem, and
    /// routing can still answer 415 for a wrong content type (a routing fallback would swallow both).</summary>
    private static void MapConsole(this WebApplication app)
    {
        var root = app.Configuration["Console:Path"] ?? Path.Combine(AppContext.BaseDirectory, "console");
        var index = Path.Combine(root, "index.html");
        if (Directory.Exists(root))
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root) });
        app.UseEndpoints(_ => { });
        app.Run(async context =>
        {
            if (context.Request.Path.StartsWithSegments("/api") || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            context.Response.ContentType = "text/html; charset=utf-8";
            if (File.Exists(index))
                await context.Response.SendFileAsync(index);
            else
                await context.Response.WriteAsync("<!doctype html><title>Switchboard</title><p>The console has not been built. Run <code>./run.sh</code>, " +
                    "which builds it, or <code>npm ci &amp;&amp; npm run build</code> in <code>web/console</code>.</p>");
        });
    }
}
