using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>The contract's error body: <c>{"error":{"code":"...","message":"..."}}</c>.</summary>
public sealed record ApiErrorBody(ApiError Error);

public sealed record ApiError(string Code, string Message);

/// <summary>Builds error responses in the contract's shape, for functions and for the hosting layer alike.</summary>
public static class ApiErrors
{
    public const string InternalErrorMessage = "An unexpected error occurred.";

    /// <summary>An error result a function can return.</summary>
    public static IActionResult Result(int status, string code, string message) =>
        new ObjectResult(new ApiErrorBody(new ApiError(code, message)))
        {
            StatusCode = status,
            ContentTypes = { "application/json" },
        };

    /// <summary>Writes an error directly; for middleware, where no result executor runs.</summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ApiErrorBody(new ApiError(code, message)), context.RequestAborted);
    }

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
}
