using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>The contract's error body: <c>{"error":{"code":"...","message":"..."}}</c>.</summary>
public sealed record ApiErrorBody(ApiError Error);

public sealed record ApiError(string Code, string Message);

/// <summary>
/// Writes error responses in the contract's shape: the only writer of an error body, used by the invocation pipeline
/// (<see cref="ApiException"/>s) and by the hosting layer (statuses the framework produced).
/// </summary>
public static class ApiErrors
{
    public const string InternalErrorMessage = "An unexpected error occurred.";

    /// <summary>The response for <paramref name="error"/>, as a result either hosting mode executes.</summary>
    public static IActionResult Result(ApiException error) => new ErrorResult(error);

    /// <summary>Writes an error directly; for middleware, where no result executor runs.</summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string message, TimeSpan? retryAfter = null)
    {
        context.Response.StatusCode = status;
        if (retryAfter is { } wait) context.Response.Headers.RetryAfter = Seconds(wait).ToString(CultureInfo.InvariantCulture);
        return context.Response.WriteAsJsonAsync(new ApiErrorBody(new ApiError(code, message)), context.RequestAborted);
    }

    /// <summary>Whole seconds to wait, at least one: what Retry-After carries and what messages quote.</summary>
    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    /// <summary>A stable code for a bare status, used when the framework (not a function) produced the status.</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "too_many_requests",
        500 => "internal_error",
        501 => "not_implemented",
        503 => "unavailable",
        _ => $"http_{status}",
    };

    private sealed class ErrorResult(ApiException error) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) =>
            WriteAsync(context.HttpContext, error.Status, error.Code, error.Message, error.RetryAfter);
    }
}
