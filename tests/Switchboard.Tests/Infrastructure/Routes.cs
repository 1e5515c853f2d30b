using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Tests.Infrastructure;

/// <summary>The server's own endpoint table, so route-walking tests cover routes added later without being edited.</summary>
public static class Routes
{
    public sealed record ApiRoute(string Method, string Pattern, Endpoint Endpoint)
    {
        public IReadOnlyList<string> Parameters { get; } =
            ((RouteEndpoint)Endpoint).RoutePattern.Parameters.Select(p => p.Name).ToList();

        public bool IsAnonymous => Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;

        public string Url(Func<string, string> valueOf) =>
            "/" + ((RouteEndpoint)Endpoint).RoutePattern.Parameters.Aggregate(Pattern, (url, p) =>
                System.Text.RegularExpressions.Regex.Replace(url, $"{{{p.Name}(:[^}}]*)?}}", valueOf(p.Name)));
    }

    public static List<ApiRoute> Api(IServiceProvider services) => Under(services, "api/v1");

    /// <summary>Every route whose pattern starts with <paramref name="prefix"/> (a path segment), one per method.</summary>
    public static List<ApiRoute> Under(IServiceProvider services, string prefix) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith(prefix + "/", StringComparison.Ordinal) == true
                        || e.RoutePattern.RawText?.TrimStart('/') == prefix)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => new ApiRoute(m, e.RoutePattern.RawText!.TrimStart('/').TrimEnd('/'), e)))
            .ToList();
}
