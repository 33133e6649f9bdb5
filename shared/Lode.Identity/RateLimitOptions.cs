using System.ComponentModel.DataAnnotations;

namespace Lode.Identity;

/// <summary>Configuration section <c>Security:RateLimit</c> (see <see cref="CallerRateLimiter"/>).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Security:RateLimit";

    /// <summary>Sustained requests per minute of one caller (0: no limit).</summary>
    [Range(0, 1_000_000)]
    public int PermitsPerMinute { get; set; } = 120;

    /// <summary>Requests one caller may make at once after being idle: the size of its bucket.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 30;

    /// <summary>Failed authentications per minute from one client address, also its burst (0: no limit).</summary>
    [Range(0, 1_000_000)]
    public int FailedAuthPerMinute { get; set; } = 30;
}
