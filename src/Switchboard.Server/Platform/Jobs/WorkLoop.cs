namespace Switchboard.Platform.Jobs;

/// <summary>The loop a background worker runs until the host stops: a round of work, a wait when there was nothing to do,
/// and after an error a logged pause before the next round (a database restart must not end the worker).</summary>
internal static class WorkLoop
{
    /// <param name="round">Does some work; false when there was none.</param>
    /// <param name="idle">Waits for more work (a signal or the poll interval).</param>
    public static async Task RunAsync(Func<CancellationToken, Task<bool>> round, Func<CancellationToken, Task> idle, TimeSpan pauseAfterError,
        ILogger logger, string worker, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await round(stoppingToken))
                    await idle(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Worker} failed; trying again in {Pause}", worker, pauseAfterError);
                await Task.Delay(pauseAfterError, stoppingToken);
            }
        }
    }
}
