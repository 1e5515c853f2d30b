using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Switchboard.Platform.Http;

/// <summary>The one shape of a 429: a problem document and <c>Retry-After</c> in whole seconds.</summary>
public static class TooManyRequests
{
    public static async Task WriteAsync(HttpContext http, TimeSpan wait, string detail)
    {
        var seconds = Seconds(wait);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = detail },
        });
    }

    /// <summary>For a rate limiter's <c>OnRejected</c>: the wait is the lease's, a minute when it names none.</summary>
    public static ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        return new ValueTask(WriteAsync(context.HttpContext, wait, $"Slow down: try again in {Seconds(wait)} seconds."));
    }

    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}
