using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Lode.Security;

/// <summary>The outcome of asking for a permit: allowed, or refused until <see cref="RetryAfter"/> has passed.</summary>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static readonly RateLimitDecision Allow = new(true, TimeSpan.Zero);
}

/// <summary>
/// Per-caller and per-address limits (<see cref="RateLimitOptions"/>), each a token bucket. Callers are told apart by
/// authentication method and name, so one caller's burst never slows another. Failed authentications count per
/// client address, and an address that has used up its allowance is refused outright (valid credentials included)
/// until it refills: guessing stays slow, and junk credentials cost no database lookups. IPv6 addresses count per /64,
/// the block one host usually holds. Memory stays bounded: a bucket that has refilled and stayed idle for 10 seconds
/// is dropped (it holds nothing a fresh one would not), so only recently active callers and addresses are kept.
/// </summary>
public sealed class CallerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _callers;
    private readonly PartitionedRateLimiter<string>? _failures;
    private readonly TimeSpan _failureRefill;

    public CallerRateLimiter(IOptions<RateLimitOptions> options)
    {
        var limits = options.Value;
        if (limits.PermitsPerMinute > 0) _callers = TokenBuckets(limits.PermitsPerMinute, limits.Burst);
        if (limits.FailedAuthPerMinute > 0)
        {
            _failures = TokenBuckets(limits.FailedAuthPerMinute, limits.FailedAuthPerMinute);
            _failureRefill = OneToken(limits.FailedAuthPerMinute);
        }
    }

    /// <summary>Takes a permit for one request of <paramref name="caller"/>.</summary>
    public RateLimitDecision TryAcquire(Caller caller)
    {
        if (_callers is null) return RateLimitDecision.Allow;
        using var lease = _callers.AttemptAcquire($"{caller.AuthenticationMethod}:{caller.Name}");
        if (lease.IsAcquired) return RateLimitDecision.Allow;
        return new RateLimitDecision(false, lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1));
    }

    /// <summary>Whether <paramref name="client"/> may try to authenticate at all (not after too many failures).</summary>
    public RateLimitDecision CheckAuthenticationAllowed(IPAddress? client)
    {
        if (_failures is null) return RateLimitDecision.Allow;
        // A whole token, not "more than nothing": a failure takes one, so a fraction would let failures go uncounted.
        return _failures.GetStatistics(AddressKey(client))?.CurrentAvailablePermits >= 1
            ? RateLimitDecision.Allow
            : new RateLimitDecision(false, _failureRefill);
    }

    /// <summary>Counts a failed authentication from <paramref name="client"/>.</summary>
    public void RecordFailedAuthentication(IPAddress? client)
    {
        if (_failures is null) return;
        using var _ = _failures.AttemptAcquire(AddressKey(client));
    }

    public void Dispose()
    {
        _callers?.Dispose();
        _failures?.Dispose();
    }

    /// <summary>The bucket an address counts in: IPv4 addresses alone, IPv6 addresses by their /64 network.</summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        bytes.AsSpan(8).Clear();
        return new IPNetwork(new IPAddress(bytes), 64).ToString();
    }

    // One token at a time keeps the refill smooth: a caller that used its burst gets a permit every 60/rate seconds.
    private static PartitionedRateLimiter<string> TokenBuckets(int perMinute, int burst) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = OneToken(perMinute),
            QueueLimit = 0,
        }));

    private static TimeSpan OneToken(int perMinute) => TimeSpan.FromTicks(TimeSpan.TicksPerMinute / perMinute);
}
