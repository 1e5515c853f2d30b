namespace Switchboard.Platform.Http;

/// <summary>The browser-side protections every answer carries, added in one place as the response starts (so error pages
/// and static files get them too). The console's pages run only this server's scripts and styles and may not be framed;
/// anything that is not a page (API answers, scripts, files) would run nothing if opened as one. A response that set its
/// own Content-Security-Policy (user files, the widget's demo page) keeps it. The chat widget stays embeddable: sites load
/// its script and call its API cross-origin (CORS), which none of these headers restrict.</summary>
public static class SecurityHeaders
{
    /// <summary>The console: scripts, styles, images and connections (API, SignalR over WebSockets) from this origin only.</summary>
    public const string ConsolePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Swagger UI (<c>/api-docs</c>): its own scripts, but inline styles and data: images it draws with.</summary>
    public const string ApiDocsPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Anything that is not a page: if a browser is made to open it as one, it runs and loads nothing.</summary>
    public const string NonDocumentPolicy = "sandbox; default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // No address of the console leaves for another site; same-origin requests keep their Origin header (a POST
            // under no-referrer would send "Origin: null", which the widget's own origin check refuses).
            headers["Referrer-Policy"] = "same-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                headers.ContentSecurityPolicy = PolicyFor(context);
            return Task.CompletedTask;
        });
        return next(context);
    });

    private static string PolicyFor(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/api-docs"))
            return ApiDocsPolicy;
        return context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true ? ConsolePolicy : NonDocumentPolicy;
    }
}
