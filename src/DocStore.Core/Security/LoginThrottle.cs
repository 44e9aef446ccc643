using System.Collections.Concurrent;

namespace DocStore.Core.Security;

/// <summary>
/// Slows down password guessing. Failures are counted per client address and per account;
/// each failure doubles the delay before the next answer to that address (up to
/// <see cref="MaxAddressDelay"/>). Failures against one account from many addresses slow that
/// account down too, but only up to <see cref="MaxAccountDelay"/>, so an attacker elsewhere can
/// make the real user wait a little, never lock them out. Counts fade after
/// <see cref="ForgetAfter"/> without failures; a success clears the address's and the account's
/// record. Shared by IMAP and the web console.
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    public static readonly TimeSpan MaxAddressDelay = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MaxAccountDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(250);

    // The first failures are free: people mistype.
    private const int FreeFailures = 2;
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, Record> addresses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Record> accounts = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan DelayFor(string address, string account)
    {
        var now = time.GetUtcNow();
        var byAddress = Delay(addresses, address, now, MaxAddressDelay);
        var byAccount = Delay(accounts, account, now, MaxAccountDelay);
        return byAddress > byAccount ? byAddress : byAccount;
    }

    public void Failed(string address, string account)
    {
        var now = time.GetUtcNow();
        Bump(addresses, address, now);
        Bump(accounts, account, now);
    }

    public void Succeeded(string address, string account)
    {
        addresses.TryRemove(address, out _);
        accounts.TryRemove(account, out _);
    }

    private static TimeSpan Delay(ConcurrentDictionary<string, Record> map, string key, DateTimeOffset now, TimeSpan max)
    {
        if (!map.TryGetValue(key, out var record) || now - record.LastFailure > ForgetAfter || record.Failures <= FreeFailures)
        {
            return TimeSpan.Zero;
        }
        var exponent = Math.Min(record.Failures - FreeFailures - 1, 16);
        var delay = BaseDelay * (1 << exponent);
        return delay > max ? max : delay;
    }

    private static void Bump(ConcurrentDictionary<string, Record> map, string key, DateTimeOffset now)
    {
        if (map.Count > MaxTracked)
        {
            foreach (var stale in map.Where(pair => now - pair.Value.LastFailure > ForgetAfter).Select(pair => pair.Key).ToList())
            {
                map.TryRemove(stale, out _);
            }
        }
        map.AddOrUpdate(key, _ => new Record(1, now), (_, old) => new Record(now - old.LastFailure > ForgetAfter ? 1 : old.Failures + 1, now));
    }

    private readonly record struct Record(int Failures, DateTimeOffset LastFailure);
}
