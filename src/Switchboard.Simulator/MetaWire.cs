using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Switchboard.Simulator;

/// <summary>Meta's error bodies and webhook envelopes (reference/wire-formats.md, the Cloud API OpenAPI spec).</summary>
public static class MetaWire
{
    /// <summary>Meta's message and, for WhatsApp platform errors, the <c>error_data.details</c> it gives for a code.</summary>
    public static (string Message, string? Details) Describe(int code) => code switch
    {
        100 => ("(#100) Invalid parameter", null),
        190 => ("Invalid OAuth access token - Cannot parse access token", null),
        130429 => ("(#130429) Rate limit hit", "Cloud API message throughput has been reached."),
        131000 => ("(#131000) Something went wrong", "Message failed to send because of an unknown error."),
        131026 => ("(#131026) Message undeliverable", "Message Undeliverable."),
        131047 => ("(#131047) Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
        131049 => ("(#131049) This message was not delivered to maintain healthy ecosystem engagement.", "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."),
        131050 => ("(#131050) Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.", "Recipient has opted out of marketing messages."),
        131051 => ("(#131051) Message type unknown", "Message type is currently not supported."),
        131056 => ("(#131056) (Business Account, Consumer Account) pair rate limit hit", "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time."),
        131057 => ("(#131057) Account in maintenance mode", "Business Account is in maintenance mode."),
        132000 => ("(#132000) Number of parameters does not match the expected number of params", "Number of parameters does not match the expected number of params."),
        132001 => ("(#132001) Template name does not exist in the translation", "Template name does not exist in the translation."),
        132012 => ("(#132012) Parameter format does not match format in the created template", "Parameter format does not match format in the created template."),
        132015 => ("(#132015) Template is Paused", "Template is paused due to low quality so it cannot be sent in a template message."),
        132016 => ("(#132016) Template is disabled", "Template has been paused too many times due to low quality and is now permanently disabled."),
        _ => ($"(#{code}) Message failed to send", "Message failed to send."),
    };

    /// <summary><c>{"error":{"message","type","code","error_data":{"messaging_product","details"},"fbtrace_id"}}</c>;
    /// error_data only when there are details, as Graph-level errors (190, unknown object) have none.</summary>
    public static IResult Error(int status, int code, string message, string? details = null, string type = "OAuthException")
    {
        var error = new JsonObject { ["message"] = message, ["type"] = type, ["code"] = code };
        if (details is not null)
            error["error_data"] = new JsonObject { ["messaging_product"] = "whatsapp", ["details"] = details };
        error["fbtrace_id"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '_').Replace('/', '-')[..23];
        return Wire.Json(new JsonObject { ["error"] = error }, status);
    }

    /// <summary>An error with Meta's own message and details for the code.</summary>
    public static IResult Error(int status, int code)
    {
        var (message, details) = Describe(code);
        return Error(status, code, message, details);
    }

    public static IResult UnknownObject(string id) => Error(400, 100,
        $"Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
        type: "GraphMethodException");

    public static IResult InvalidToken() => Error(401, 190);

    /// <summary>A status error as webhooks carry it: <c>{"code","title","message","error_data":{"details"}}</c>.</summary>
    public static JsonObject StatusError(int code)
    {
        var (message, details) = Describe(code);
        var title = message.StartsWith('(') ? message[(message.IndexOf(") ", StringComparison.Ordinal) + 2)..] : message;
        return new JsonObject
        {
            ["code"] = code,
            ["title"] = title,
            ["message"] = title,
            ["error_data"] = new JsonObject { ["details"] = details ?? title },
        };
    }

    /// <summary>The <c>value</c> of a <c>messages</c> change: product and the receiving number's metadata.</summary>
    public static JsonObject MessagesValue(MetaPhoneNumber number) => new()
    {
        ["messaging_product"] = "whatsapp",
        ["metadata"] = new JsonObject { ["display_phone_number"] = number.DisplayDigits, ["phone_number_id"] = number.PhoneNumberId },
    };

    /// <summary>The webhook envelope: one entry for the WABA with one change.</summary>
    public static JsonObject Envelope(MetaPhoneNumber number, string field, JsonObject value, long? time = null)
    {
        var entry = new JsonObject { ["id"] = number.BusinessAccountId };
        if (time is not null)
            entry["time"] = time;
        entry["changes"] = new JsonArray(new JsonObject { ["value"] = value, ["field"] = field });
        return new JsonObject { ["object"] = "whatsapp_business_account", ["entry"] = new JsonArray(entry) };
    }

    /// <summary>The signed POST of a payload to the number's webhook URL, or null when none is registered.</summary>
    public static WebhookDelivery? Delivery(MetaPhoneNumber number, JsonObject payload, Behaviour behaviour)
    {
        if (number.WebhookUrl is null)
            return null;
        var body = Wire.Bytes(payload);
        return new WebhookDelivery(SimulatedProvider.WhatsApp, number.PhoneNumberId, number.WebhookUrl, body, "application/json",
            WebhookSignatures.MetaHeader, WebhookSignatures.Meta(number.AppSecret, body), behaviour.WebhookRetryDelay);
    }
}
