using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Switchboard.Platform.Http;

/// <summary>Problem-details answers shared by every module, so the same situation reads the same everywhere.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: "Not found", detail: $"{what} was not found.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string detail, long? existingId = null) =>
        TypedResults.Problem(new ProblemDetails
        {
            Title = "Conflict",
            Detail = detail,
            Status = StatusCodes.Status409Conflict,
            Extensions = existingId is null ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["existingId"] = existingId },
        });

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(title: "Bad request", detail: detail, statusCode: StatusCodes.Status400BadRequest);
}

/// <summary>Collects field errors; <see cref="ToResult"/> turns them into a 400 validation problem.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool IsValid => errors.Count == 0;

    public IEnumerable<(string Field, IReadOnlyList<string> Messages)> Errors => errors.Select(e => (e.Key, (IReadOnlyList<string>)e.Value));

    public Validation Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
            errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Validation Required(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
            return Add(field, "is required.");
        return MaxLength(field, value, maxLength);
    }

    public Validation MaxLength(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
            Add(field, $"must be at most {maxLength} characters.");
        return this;
    }

    /// <summary>The same errors under the field names of another request shape.</summary>
    public Validation Renamed(Dictionary<string, string> names)
    {
        var renamed = new Validation();
        foreach (var (field, messages) in errors)
            messages.ForEach(m => renamed.Add(names.GetValueOrDefault(field, field), m));
        return renamed;
    }

    public ValidationProblem ToResult() =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            title: "The request is not valid.");
}

/// <summary>Endpoint metadata: the JSON schema to publish for a body the handler reads itself (to know which properties
/// were sent). Not <c>Accepts</c>, which would also make routing refuse other content types with a misleading 404.</summary>
public sealed record DocumentedBody(Type Type);
