using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Lode.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Functions.Http;

/// <summary>
/// Identifies the caller of an API function and applies the rate limits; the invocation pipeline calls it for every
/// function declared <c>[CallerAccess(AllowedCallers.Caller)]</c> or <c>AllowedCallers.Admin</c>, and refusals are
/// <see cref="ApiException"/>s (401, 403, 429 with Retry-After). A bearer value shaped like a JWT is checked as an
/// identity-provider token when OIDC is configured; anything else as an API key, from configuration first, then from
/// the database.
/// </summary>
public sealed class ApiCallers(
    ApiKeyAuthenticator configuredKeys,
    StoredApiKeyAuthenticator storedKeys,
    OidcCallers oidcCallers,
    IOptions<OidcOptions> oidc,
    CallerRateLimiter limits,
    ILogger<ApiCallers> logger)
{
    /// <summary>The caller the request's credentials name, within its rate limits; throws <see cref="ApiException"/> otherwise.</summary>
    public async ValueTask<Caller> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The client's address as resolved from trusted proxies (ForwardedClientAddress), not the proxy's.
        var attempt = limits.BeginAuthentication(request.HttpContext.Connection.RemoteIpAddress);
        if (!attempt.Decision.Allowed)
            throw TooManyRequests(attempt.Decision, "Too many failed authentication attempts from your address.");

        var presented = BearerToken.From(request.Headers.Authorization);
        if (presented is null)
        {
            attempt.NotFailed();
            throw Unauthorized();
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
        if (caller is null) throw Unauthorized();
        attempt.NotFailed();

        var callerCheck = limits.TryAcquire(caller);
        return callerCheck.Allowed ? caller : throw TooManyRequests(callerCheck, "Too many requests from these credentials.");
    }

    /// <summary>As <see cref="AuthenticateAsync"/>, and the caller must be in the admin group (403 otherwise).</summary>
    public async ValueTask<Caller> AuthenticateAdminAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request, cancellationToken);
        return caller.IsAdmin ? caller : throw new ApiException(StatusCodes.Status403Forbidden, "forbidden",
            "This endpoint is for administrators; your credentials are not in the admin group.");
    }

    /// <summary>Whether the request carries an administrator's valid credentials; a refusal counts like anywhere else.</summary>
    public async ValueTask<bool> IsAdminAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await AuthenticateAdminAsync(request, cancellationToken);
            return true;
        }
        catch (ApiException)
        {
            return false;
        }
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

    private static ApiException Unauthorized() =>
        new(StatusCodes.Status401Unauthorized, "unauthorized",
            "Send a valid API key or identity-provider token as 'Authorization: Bearer <credential>'.");

    private static ApiException TooManyRequests(RateLimitDecision decision, string reason) =>
        new(StatusCodes.Status429TooManyRequests, "rate_limited",
            $"{reason} Retry after {ApiErrors.Seconds(decision.RetryAfter)} s.", decision.RetryAfter);
}
