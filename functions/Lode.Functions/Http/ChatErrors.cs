using Lode.Chat;
using Lode.Chat.Models;
using Lode.Chat.Prompting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>Maps the chat pipeline's expected failures to HTTP answers; anything else is a 500.</summary>
public static class ChatErrors
{
    public static IActionResult? ToResult(Exception error, HttpResponse response)
    {
        switch (error)
        {
            case ChatRequestException e:
                return ApiErrors.Result(400, e.Code, e.Message);
            case PromptTooLongException e:
                return ApiErrors.Result(400, "prompt_too_long", e.Message);
            case ModelBusyException e:
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ApiErrors.Result(503, "model_busy", e.Message);
            default:
                return null;
        }
    }

    /// <summary>The error body, for an error that happens after a stream has started.</summary>
    public static ApiErrorBody StreamError(Exception error) => error switch
    {
        ModelBusyException e => new(new ApiError("model_busy", e.Message)),
        _ => new(new ApiError("internal_error", ApiErrors.InternalErrorMessage)),
    };
}
