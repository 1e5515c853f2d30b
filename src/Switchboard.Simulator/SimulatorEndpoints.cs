using System.Net.Http.Headers;
using System.Text;

namespace Switchboard.Simulator;

/// <summary>The provider endpoints the simulator speaks, in the providers' own request and answer formats
/// (reference/wire-formats.md and the OpenAPI specs beside it).</summary>
public static class SimulatorEndpoints
{
    public static IEndpointRouteBuilder MapSimulator(this IEndpointRouteBuilder app)
    {
        // Meta Graph: GET /{version}/{phone-number-id} with the system user's bearer token.
        app.MapGet("/{version:regex(^v[0-9]+\\.[0-9]+$)}/{phoneNumberId}", (string phoneNumberId, HttpRequest request, ProviderAccounts accounts) =>
        {
            var token = AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Scheme == "Bearer" ? header.Parameter : null;
            if (!accounts.PhoneNumbers.TryGetValue(phoneNumberId, out var number))
                return MetaError(400, 100, $"Unsupported get request. Object with ID '{phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", "GraphMethodException");
            if (token != number.AccessToken)
                return MetaError(401, 190, "Invalid OAuth access token - Cannot parse access token", "OAuthException");
            return Results.Json(new Dictionary<string, object>
            {
                ["verified_name"] = number.VerifiedName,
                ["code_verification_status"] = "VERIFIED",
                ["display_phone_number"] = number.DisplayPhoneNumber,
                ["quality_rating"] = "GREEN",
                ["platform_type"] = "CLOUD_API",
                ["throughput"] = new { level = "STANDARD" },
                ["id"] = number.PhoneNumberId,
            });
        });

        // Twilio: GET /2010-04-01/Accounts/{AccountSid}.json with HTTP basic auth (AccountSid:AuthToken).
        app.MapGet("/2010-04-01/Accounts/{file}", (string file, HttpRequest request, ProviderAccounts accounts) =>
        {
            var sid = file.EndsWith(".json", StringComparison.Ordinal) ? file[..^5] : file;
            var credentials = BasicCredentials(request);
            if (credentials is null || !accounts.TwilioAccounts.TryGetValue(credentials.Value.User, out var account)
                || account.AuthToken != credentials.Value.Password)
                return TwilioError(401, 20003, "Authenticate");
            if (account.AccountSid != sid)
                return TwilioError(404, 20404, $"The requested resource /2010-04-01/Accounts/{sid}.json was not found");
            return Results.Json(new Dictionary<string, object?>
            {
                ["sid"] = account.AccountSid,
                ["friendly_name"] = account.FriendlyName,
                ["status"] = "active",
                ["type"] = "Full",
                ["owner_account_sid"] = account.AccountSid,
                ["uri"] = $"/2010-04-01/Accounts/{account.AccountSid}.json",
            });
        });
        return app;
    }

    private static (string User, string Password)? BasicCredentials(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) || header.Scheme != "Basic" || header.Parameter is null)
            return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter)).Split(':', 2);
            return pair.Length == 2 ? (pair[0], pair[1]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IResult MetaError(int status, int code, string message, string type) =>
        Results.Json(new { error = new { message, type, code, fbtrace_id = Guid.NewGuid().ToString("N")[..22] } }, statusCode: status);

    private static IResult TwilioError(int status, int code, string message) =>
        Results.Json(new { code, message, more_info = $"https://www.twilio.com/docs/errors/{code}", status }, statusCode: status);
}
