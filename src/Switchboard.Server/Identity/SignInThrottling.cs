using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;

namespace Switchboard.Identity;

/// <summary>Slows password guessing without letting anyone lock an account: failed sign-ins are counted per account from one
/// address and per account from anywhere (a higher limit, against guessing spread over many addresses); past either limit
/// the account answers 429 with <c>Retry-After</c> until <see cref="IdentityOptions.SignInThrottleMinutes"/> have passed,
/// then counts afresh. Keys are the typed email, so an unknown email is throttled exactly like a real account and the
/// answers never tell them apart. The per-IP request limit (<see cref="IdentitySetup.SignInRateLimit"/>) comes on top.</summary>
public sealed class SignInThrottling(SwitchboardDbContext db, IdentityOptions options, TimeProvider clock)
{
    private TimeSpan Window => TimeSpan.FromMinutes(options.SignInThrottleMinutes);

    private static string AccountKey(string email) => Hash($"account:{email}");

    private static string AccountFromAddressKey(string email, string address) => Hash($"account:{email}|address:{address}");

    private IEnumerable<(string Key, int Limit)> Limits(string email, string address) =>
    [
        (AccountKey(email), options.FailedSignInsPerAccount),
        (AccountFromAddressKey(email, address), options.FailedSignInsPerAccountAndAddress),
    ];

    /// <summary>How long this account must wait from this address, or null when it may try now.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string email, string address, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var keys = Limits(email, address).Select(l => l.Key).ToList();
        var blockedUntil = await db.SignInThrottles.AsNoTracking()
            .Where(t => keys.Contains(t.Key) && t.BlockedUntil > now)
            .OrderByDescending(t => t.BlockedUntil)
            .Select(t => t.BlockedUntil)
            .FirstOrDefaultAsync(cancellationToken);
        return blockedUntil - now;
    }

    /// <summary>Counts a failed sign-in under each key (atomically, so several nodes count together), and blocks a key
    /// that reaches its limit. Windows that have run out are deleted first, so the table holds only the last few minutes.</summary>
    public async Task RecordFailureAsync(string email, string address, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expired = now - Window;
        var blockedUntil = now + Window;
        await db.SignInThrottles.Where(t => t.WindowStartedAt <= expired).ExecuteDeleteAsync(cancellationToken);
        foreach (var (key, limit) in Limits(email, address))
        {
            if (await CountAsync(key, cancellationToken) == 0)
            {
                db.SignInThrottles.Add(new SignInThrottle { Key = key, Failures = 1, WindowStartedAt = now });
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateException e) when (e.IsUniqueViolation())
                {
                    // Another request started this window first: count on its row.
                    db.ChangeTracker.Clear();
                    await CountAsync(key, cancellationToken);
                }
            }
            await db.SignInThrottles.Where(t => t.Key == key && t.Failures >= limit)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Failures, 0).SetProperty(t => t.WindowStartedAt, now)
                    .SetProperty(t => t.BlockedUntil, blockedUntil), cancellationToken);
        }
    }

    /// <summary>A successful sign-in clears what was counted against this account from this address (not from elsewhere).</summary>
    public Task ClearAsync(string email, string address, CancellationToken cancellationToken)
    {
        var key = AccountFromAddressKey(email, address);
        return db.SignInThrottles.Where(t => t.Key == key).ExecuteDeleteAsync(cancellationToken);
    }

    private Task<int> CountAsync(string key, CancellationToken cancellationToken) =>
        db.SignInThrottles.Where(t => t.Key == key).ExecuteUpdateAsync(s => s.SetProperty(t => t.Failures, t => t.Failures + 1), cancellationToken);

    /// <summary>What was typed stays out of the table (an email field sometimes holds a password).</summary>
    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
