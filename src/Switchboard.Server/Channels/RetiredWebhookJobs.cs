using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;

namespace Switchboard.Channels;

/// <summary>During a rolling upgrade across M0009, nodes of the older release still store each webhook with <c>run_at</c>
/// empty and a job of one of these types naming it. Such a job makes its webhook due for <see cref="WebhookProcessor"/>,
/// so nothing an old node accepted is left behind. Kept until no supported release writes these jobs.</summary>
internal sealed class RetiredWebhookJob(string type, SwitchboardDbContext db) : IJobHandler
{
    public static readonly string[] Types = ["whatsapp.inbound", "twilio.inbound", "email.inbound"];

    private sealed record Payload(long EventId);

    public string Type => type;

    public async Task RunAsync(Job job, CancellationToken cancellationToken)
    {
        var eventId = JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)!.EventId;
        await db.WebhookEvents.Where(e => e.Id == eventId && e.ProcessedAt == null && e.RunAt == null && e.Attempts == 0)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.RunAt, e => e.ReceivedAt), cancellationToken);
    }

    public Task OnDeadAsync(Job job, string error, CancellationToken cancellationToken) => Task.CompletedTask;
}
