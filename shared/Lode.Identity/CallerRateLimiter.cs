using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Lode.Identity;

/// <summary>The outcome of asking for a permit: allowed, or refused until <see cref="RetryAfter"/> has passed.</summary>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static readonly RateLimitDecision Allow = new(true, TimeSpan.Zero);
}

/// <summary>
/// Per-caller and per-address limits (<see cref="RateLimitOptions"/>), each a token bucket. Callers are told apart by
/// authentication method and name, so one caller's burst never slows another. Failed authentications count per
/// client address (<see cref="FailedAuthenticationBudget"/>: each attempt holds a token while its credential is checked,
/// so parallel guesses cannot outrun the count), and an address that has used up its allowance is refused outright
/// (valid credentials included) until it refills: guessing stays slow, and junk credentials cost no database lookups.
/// The address is the client's as the forwarded-headers middleware resolved it from trusted proxies
/// (<c>Security:ForwardedHeaders</c>), so one client behind a reverse proxy cannot lock out the others. IPv6
/// addresses count per /64, the block one host usually holds. Memory stays bounded: a caller bucket that has refilled
/// and stayed idle for 10 seconds is dropped (it holds nothing a fresh one would not).
/// </summary>
public sealed class CallerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _callers;
    private readonly FailedAuthenticationBudget? _failures;

    public CallerRateLimiter(IOptions<RateLimitOptions> options, TimeProvider clock)
    {
        var limits = options.Value;
        if (limits.PermitsPerMinute > 0) _callers = TokenBuckets(limits.PermitsPerMinute, limits.Burst);
        if (limits.FailedAuthPerMinute > 0)
            _failures = new FailedAuthenticationBudget(limits.FailedAuthPerMinute, OneToken(limits.FailedAuthPerMinute), clock);
    }

    /// <summary>Takes a permit for one request of <paramref name="caller"/>.</summary>
    public RateLimitDecision TryAcquire(Caller caller)
    {
        if (_callers is null) return RateLimitDecision.Allow;
        using var lease = _callers.AttemptAcquire($"{caller.AuthenticationMethod}:{caller.Name}");
        if (lease.IsAcquired) return RateLimitDecision.Allow;
        return new RateLimitDecision(false, lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// Starts an authentication from <paramref name="client"/>: refused when the address has failed too often. An
    /// allowed attempt counts as failed unless <see cref="AuthenticationAttempt.NotFailed"/> is called.
    /// </summary>
    public AuthenticationAttempt BeginAuthentication(IPAddress? client)
    {
        if (_failures is null) return new AuthenticationAttempt(RateLimitDecision.Allow, null, "");
        var key = AddressKey(client);
        return new AuthenticationAttempt(_failures.TryTake(key), _failures, key);
    }

    public void Dispose() => _callers?.Dispose();

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

/// <summary>One authentication in progress; it holds a token of its address's failure budget until it is settled.</summary>
public sealed class AuthenticationAttempt
{
    private readonly FailedAuthenticationBudget? _budget;
    private readonly string _key;
    private int _settled;

    internal AuthenticationAttempt(RateLimitDecision decision, FailedAuthenticationBudget? budget, string key) =>
        (Decision, _budget, _key) = (decision, decision.Allowed ? budget : null, key);

    /// <summary>Allowed, or refused until the address's budget refills.</summary>
    public RateLimitDecision Decision { get; }

    /// <summary>The attempt did not fail (valid credential, none presented, or an error that is not the caller's): give the token back.</summary>
    public void NotFailed()
    {
        if (_budget is not null && Interlocked.Exchange(ref _settled, 1) == 0) _budget.GiveBack(_key);
    }
}
