using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Lode.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Functions.Http;

/// <summary>
/// Identifies the caller of an API function and applies the rate limits. Every function except health and the
/// webhooks starts with
/// <code>
/// var check = await callers.AuthenticateAsync(request, cancellationToken);
/// if (check.Refused) return check.Refusal;
/// </code>
/// (admin functions call <see cref="AuthenticateAdminAsync"/>); a test walks every route to make sure none forgot.
/// A bearer value shaped like a JWT is checked as an identity-provider token when OIDC is configured; anything else
/// as an API key, from configuration first, then from the database.
/// </summary>
public sealed class ApiCallers(
    ApiKeyAuthenticator configuredKeys,
    StoredApiKeyAuthenticator storedKeys,
    OidcCallers oidcCallers,
    IOptions<OidcOptions> oidc,
    CallerRateLimiter limits,
    ILogger<ApiCallers> logger)
{
    public async ValueTask<CallerCheck> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The client's address as resolved from trusted proxies (ForwardedClientAddress), not the proxy's.
        var attempt = limits.BeginAuthentication(request.HttpContext.Connection.RemoteIpAddress);
        if (!attempt.Decision.Allowed)
            return TooManyRequests(request, attempt.Decision, "Too many failed authentication attempts from your address.");

        var presented = BearerToken.From(request.Headers.Authorization);
        if (presented is null)
        {
            attempt.NotFailed();
            return CallerCheck.Refuse(Unauthorized());
        }
        Caller? caller;
        try
        {
            caller = await IdentifyAsync(request, presented, cancellationToken);
        }
        catch
        {
            // A database outage or a cancelled request says nothing about the credential.
            attempt.NotFailed();
            throw;
        }
        if (caller is null) return CallerCheck.Refuse(Unauthorized());
        attempt.NotFailed();

        var callerCheck = limits.TryAcquire(caller);
        return callerCheck.Allowed
            ? CallerCheck.Allow(caller)
            : TooManyRequests(request, callerCheck, "Too many requests from these credentials.");
    }

    /// <summary>As <see cref="AuthenticateAsync"/>, and the caller must be in the admin group (403 otherwise).</summary>
    public async ValueTask<CallerCheck> AuthenticateAdminAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var check = await AuthenticateAsync(request, cancellationToken);
        if (check.Refused || check.Caller.IsAdmin) return check;
        return CallerCheck.Refuse(ApiErrors.Result(StatusCodes.Status403Forbidden, "forbidden",
            "This endpoint is for administrators; your credentials are not in the admin group."));
    }

    private async Task<Caller?> IdentifyAsync(HttpRequest request, string presented, CancellationToken cancellationToken)
    {
        if (oidc.Value.Enabled && BearerToken.LooksLikeJwt(presented))
        {
            var result = await request.HttpContext.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
            if (result.Succeeded && oidcCallers.From(result.Principal) is { } caller) return caller;
            // The operator learns why (IdentityModel hides token contents in its messages); the caller only that it failed.
            logger.LogInformation("Refused an identity-provider token from {Client}: {Reason}",
                request.HttpContext.Connection.RemoteIpAddress, result.Failure?.Message ?? "it names nobody (no name claim, no sub)");
            return null;
        }
        return configuredKeys.Authenticate(presented) ?? await storedKeys.AuthenticateAsync(presented, cancellationToken);
    }

    private static IActionResult Unauthorized() =>
        ApiErrors.Result(StatusCodes.Status401Unauthorized, "unauthorized",
            "Send a valid API key or identity-provider token as 'Authorization: Bearer <credential>'.");

    private static CallerCheck TooManyRequests(HttpRequest request, RateLimitDecision decision, string reason)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
        request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return CallerCheck.Refuse(ApiErrors.Result(StatusCodes.Status429TooManyRequests, "rate_limited",
            $"{reason} Retry after {seconds} s."));
    }
}

/// <summary>The outcome of authenticating a request: the caller, or the response that refuses it.</summary>
public sealed class CallerCheck
{
    private CallerCheck(Caller? caller, IActionResult? refusal) => (Caller, Refusal) = (caller, refusal);

    public Caller? Caller { get; }

    public IActionResult? Refusal { get; }

    [MemberNotNullWhen(true, nameof(Refusal))]
    [MemberNotNullWhen(false, nameof(Caller))]
    public bool Refused => Refusal is not null;

    public static CallerCheck Allow(Caller caller) => new(caller, null);

    public static CallerCheck Refuse(IActionResult refusal) => new(null, refusal);
}
