using Microsoft.AspNetCore.Http;

namespace Lode.Functions.Http;

/// <summary>
/// The function layer's one error: a contract error code, its HTTP status and a message meant for the caller (plus
/// how long to wait, for 429 and 503). Functions and the invocation pipeline throw it; <see cref="ApiProblems"/> turns
/// it (and the libraries' own coded exceptions) into the <c>{error:{code,message}}</c> response, in one place.
/// </summary>
public sealed class ApiException(int status, string code, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static ApiException BadRequest(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    public static ApiException NotFound(string code, string message) => new(StatusCodes.Status404NotFound, code, message);

    public static ApiException Conflict(string code, string message) => new(StatusCodes.Status409Conflict, code, message);
}
