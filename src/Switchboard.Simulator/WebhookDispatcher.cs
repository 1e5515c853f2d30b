using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Threading.Channels;

namespace Switchboard.Simulator;

/// <summary>One webhook POST, signed and serialised once so a redelivery is byte-identical. It belongs to the phone number
/// or account it is about.</summary>
public sealed record WebhookDelivery(
    SimulatedProvider Provider, string Account, string Url, byte[] Body, string ContentType, string SignatureHeader, string Signature, TimeSpan RetryDelay)
{
    public string UserAgent => Provider == SimulatedProvider.WhatsApp ? "facebookexternalua" : "TwilioProxy/1.1";
}

/// <summary>Runs simulator work in the background until the host stops; failures are logged, never thrown at a caller.</summary>
public sealed class BackgroundWork(IHostApplicationLifetime lifetime, ILogger<BackgroundWork> logger)
{
    public void Run(Func<CancellationToken, Task> work) => _ = RunAsync(work);

    public void After(TimeSpan delay, Action action) => Run(async stopping =>
    {
        await Task.Delay(delay, stopping);
        action();
    });

    private async Task RunAsync(Func<CancellationToken, Task> work)
    {
        try
        {
            await work(lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Simulator background work failed");
        }
    }
}

/// <summary>Posts webhooks one at a time in the order they were queued, so one message's statuses leave in the order
/// they were played. A delivery that fails (non-2xx or no connection) is retried with doubling waits, as Meta and Twilio
/// retry, and may then arrive after later ones, as it does at the providers.</summary>
public sealed class WebhookDispatcher(IHttpClientFactory httpClients, BackgroundWork work, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "Switchboard.Simulator.Webhooks";
    private const int Attempts = 5;

    private readonly Channel<(WebhookDelivery Delivery, int Attempt)> queue = Channel.CreateUnbounded<(WebhookDelivery, int)>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<(SimulatedProvider, string), WebhookDelivery> last = new();

    public void Post(WebhookDelivery delivery) => queue.Writer.TryWrite((delivery, 1));

    /// <summary>Posts the last webhook about this number or account again, byte for byte.</summary>
    public WebhookDelivery? RedeliverLast(SimulatedProvider provider, string account)
    {
        if (!last.TryGetValue((provider, account), out var delivery))
            return null;
        Post(delivery);
        return delivery;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var http = httpClients.CreateClient(HttpClientName);
        await foreach (var (delivery, attempt) in queue.Reader.ReadAllAsync(stoppingToken))
        {
            if (attempt == 1)
                last[(delivery.Provider, delivery.Account)] = delivery;
            if (await TrySendAsync(http, delivery, stoppingToken) || attempt == Attempts)
                continue;
            work.After(delivery.RetryDelay * Math.Pow(2, attempt - 1), () => queue.Writer.TryWrite((delivery, attempt + 1)));
        }
    }

    private async Task<bool> TrySendAsync(HttpClient http, WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(delivery.ContentType);
            request.Headers.TryAddWithoutValidation(delivery.SignatureHeader, delivery.Signature);
            request.Headers.TryAddWithoutValidation("User-Agent", delivery.UserAgent);
            using var response = await http.SendAsync(request, stoppingToken);
            if (response.IsSuccessStatusCode)
                return true;
            logger.LogInformation("Webhook to {Url} answered {Status}", delivery.Url, (int)response.StatusCode);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // Whatever went wrong (refused, timed out, unusable URL), the provider would just try again later.
            logger.LogInformation("Webhook to {Url} failed: {Error}", delivery.Url, exception.Message);
        }
        return false;
    }
}
