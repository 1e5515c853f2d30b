using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Security;

namespace Switchboard.Webhooks;

/// <summary>How receivers authenticate a delivery (docs/webhooks.md): <c>sha256=</c> and the lower-case hex HMAC-SHA256, keyed
/// with the UTF-8 bytes of the tenant's webhook secret, of the timestamp header, a dot, and the body's exact bytes.</summary>
public static class WebhookSignature
{
    public static string Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return "sha256=" + Convert.ToHexStringLower(hmac.GetHashAndReset());
    }
}

/// <summary>Makes one signed attempt of a delivery and records the answer on it (the caller saves, and decides what a failure
/// means: a retry for events, the final word for a test ping).</summary>
public sealed class WebhookSender(SwitchboardDbContext db, SecretProtector secrets, IHttpClientFactory clients, OutboundWebhookOptions options,
    TimeProvider clock)
{
    public const string HttpClientName = "webhooks";
    public const int MaxExcerptBytes = 2048;

    /// <summary>True when the receiver answered 2xx (the delivery is then succeeded).</summary>
    public async Task<bool> AttemptAsync(WebhookDelivery delivery, string url, CancellationToken cancellationToken)
    {
        var ciphertext = await db.Tenants.AsNoTracking().Where(t => t.Id == delivery.TenantId).Select(t => t.WebhookSecretCiphertext)
            .FirstAsync(cancellationToken);
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var at = clock.GetUtcNow();
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.UserAgent.ParseAdd("Switchboard-Webhooks/1");
        request.Headers.Add("X-Switchboard-Event", delivery.EventType);
        request.Headers.Add("X-Switchboard-Delivery", delivery.Id.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-Switchboard-Event-Id", delivery.EventId);
        request.Headers.Add("X-Switchboard-Timestamp", timestamp);
        request.Headers.Add("X-Switchboard-Signature", WebhookSignature.Compute(secrets.Unprotect(ciphertext), timestamp, body));

        delivery.Attempts++;
        delivery.LastAttemptAt = at;
        delivery.ResponseStatus = null;
        delivery.ResponseBody = null;
        // One deadline for the answer and its body: HttpClient's own timeout stops at the headers of a streamed answer.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.DeliveryTimeout);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            delivery.ResponseStatus = (int)response.StatusCode;
            delivery.ResponseBody = await ExcerptAsync(response.Content, deadline.Token);
            delivery.Error = response.IsSuccessStatusCode ? null
                : $"The receiver answered {(int)response.StatusCode}{((int)response.StatusCode is >= 300 and < 400 ? " (redirects are not followed)" : "")}.";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            delivery.Error = $"No answer within {options.DeliveryTimeout.TotalSeconds:0.#} s.";
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            delivery.Error = e.Message;
        }
        if (delivery.Error is not null)
            return false;
        delivery.Status = WebhookDeliveryStatus.Succeeded;
        delivery.DeliveredAt = clock.GetUtcNow();
        return true;
    }

    /// <summary>The first <see cref="MaxExcerptBytes"/> of the answer, as text (NULs dropped: PostgreSQL text cannot hold them).</summary>
    private static async Task<string?> ExcerptAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxExcerptBytes];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read).Replace("\0", "");
    }
}
