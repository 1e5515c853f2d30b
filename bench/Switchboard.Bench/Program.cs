using Switchboard.Bench;

const string usage = """
    Usage:
      dotnet run -c Release --project bench/Switchboard.Bench -- <command> [options]

    Commands:
      contacts      contacts list and search at N contacts per tenant (SQLite and PostgreSQL)
        --provider sqlite|postgres|both   (default both)
        --contacts-per-tenant N           (default 100000)
        --tenants N                       (default 10)
        --requests N                      measured requests per scenario (default 2000)
        --warmup N                        unmeasured requests per scenario first (default 200)
        --concurrency N                   clients of the throughput run; 0 skips it (default 4)
        --max-seconds N                   time budget of one scenario's measured requests (default 60)

      ingest        signed WhatsApp webhooks accepted per second (jobs off), against a bare Kestrel ceiling
        --provider sqlite|postgres|both   (default both)
        --seconds N                       measured seconds per target (default 10)
        --warmup-seconds N                unmeasured seconds first (default 3)
        --connections N[,N...]            concurrent keep-alive connections; a list runs each target at each (default 64)
        --messages N                      distinct webhooks generated; a target stops early when they run out (default 400000)
        --no-ceiling                      skip the bare Kestrel run

      latency       inbound webhook to the agent's conversationUpdated on /hubs/inbox (jobs on), paced open-loop
        --provider sqlite|postgres|both   (default both)
        --rate N                          webhooks per second (default 1000)
        --seconds N                       sending time (default 20)
        --warmup-seconds N                sent at the same rate first, and waited for, unmeasured (default 2)
        --senders N                       distinct customers the messages come from (default 1000)
        --drain-seconds N                 how long to wait for the last events after sending stops (default 60)

      inbox-scale   conversation list and history at 1M conversations / 10M messages (PostgreSQL only)
        --conversations N                 conversations of the big tenant (default 1000000)
        --messages-per-conversation N     mean messages per conversation (default 10)
        --small-tenants N                 other tenants, 1% of the big one's size each (default 3)
        --requests N                      measured requests per scenario (default 1000)
        --warmup N                        unmeasured requests per scenario first (default 100)
        --concurrency N                   clients of the throughput run; 0 skips it (default 4)
        --max-seconds N                   time budget of one scenario's measured requests (default 60)
        --seed-connections N              parallel COPY streams (default 2)

    Every command also takes:
      --keep                              keep the databases and print where they are, for EXPLAIN
      --label TEXT                        results file bench/results/<command>-<date>-TEXT.md instead of <command>-<date>.md

    PostgreSQL comes from SWITCHBOARD_BENCH_POSTGRES, else SWITCHBOARD_TEST_POSTGRES (see bench/README.md).
    """;

try
{
    return args switch
    {
        ["contacts", .. var rest] => await ContactsBenchmark.RunAsync(ContactsOptions.Parse(rest)),
        ["ingest", .. var rest] => await IngestBenchmark.RunAsync(IngestOptions.Parse(rest)),
        ["latency", .. var rest] => await LatencyBenchmark.RunAsync(LatencyOptions.Parse(rest)),
        ["inbox-scale", .. var rest] => await InboxScaleBenchmark.RunAsync(InboxScaleOptions.Parse(rest)),
        _ => Fail(usage),
    };
}
catch (UsageException e)
{
    return Fail($"error: {e.Message}\n{usage}");
}

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
