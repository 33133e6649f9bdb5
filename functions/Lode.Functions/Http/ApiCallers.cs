using System.Diagnostics.CodeAnalysis;
using Lode.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>
/// Identifies the caller of an API function. Every function except health and the webhooks starts with
/// <code>
/// var check = await callers.AuthenticateAsync(request, cancellationToken);
/// if (check.Refused) return check.Refusal;
/// </code>
/// (admin functions call <see cref="AuthenticateAdminAsync"/>); a test walks every route to make sure none forgot.
/// </summary>
public sealed class ApiCallers(ApiKeyAuthenticator apiKeys)
{
    public ValueTask<CallerCheck> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        var presented = BearerToken.From(request.Headers.Authorization);
        var caller = presented is null ? null : apiKeys.Authenticate(presented);
        return ValueTask.FromResult(caller is null ? CallerCheck.Refuse(Unauthorized()) : CallerCheck.Allow(caller));
    }

    /// <summary>As <see cref="AuthenticateAsync"/>, and the caller must be in the admin group (403 otherwise).</summary>
    public async ValueTask<CallerCheck> AuthenticateAdminAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var check = await AuthenticateAsync(request, cancellationToken);
        if (check.Refused || check.Caller.IsAdmin) return check;
        return CallerCheck.Refuse(ApiErrors.Result(StatusCodes.Status403Forbidden, "forbidden",
            "This endpoint is for administrators; your credentials are not in the admin group."));
    }

    private static IActionResult Unauthorized() =>
        ApiErrors.Result(StatusCodes.Status401Unauthorized, "unauthorized",
            "Send a valid API key as 'Authorization: Bearer <key>'.");
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
