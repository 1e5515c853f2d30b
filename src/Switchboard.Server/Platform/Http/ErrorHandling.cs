using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Switchboard.Platform.Http;

/// <summary>Turns request-reading failures (malformed JSON, unknown enum values, oversized bodies) into problem details that say
/// what was wrong, instead of an empty 400 or a 500.</summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
            return false;
        var status = badRequest.StatusCode;
        var detail = status == StatusCodes.Status413PayloadTooLarge
            ? "The request body is larger than this endpoint accepts."
            : Describe(badRequest);
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = status == StatusCodes.Status413PayloadTooLarge ? "Payload too large" : "The request could not be read.",
                Detail = detail,
            },
            Exception = exception,
        });
    }

    private static string Describe(BadHttpRequestException exception) => exception.InnerException switch
    {
        JsonException json when json.Path is not null => $"Invalid JSON at {json.Path}: {FirstSentence(json.Message)}",
        JsonException json => $"Invalid JSON: {FirstSentence(json.Message)}",
        _ => exception.Message,
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] + "." : message;
    }
}

/// <summary>Refuses bodies over the endpoint's limit before anything reads them, on every host (Kestrel enforces the same
/// limit while streaming; this also covers bodies that announce their length, under any server).</summary>
public sealed class BodySizeLimitMiddleware(RequestDelegate next)
{
    public const long DefaultLimit = 1024 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<BodySizeLimit>()?.Bytes ?? DefaultLimit;
        var feature = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = limit;
        if (context.Request.ContentLength > limit)
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        return next(context);
    }
}

/// <summary>Endpoint metadata raising the body-size limit (CSV uploads).</summary>
public sealed record BodySizeLimit(long Bytes);
