using Lode.Audit;
using Lode.Chat;
using Lode.Chat.Models;
using Lode.Chat.Prompting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>Maps the chat pipeline's expected failures to HTTP answers; anything else is a 500.</summary>
public static class ChatErrors
{
    /// <summary>The error code a failure is answered (and audited) with.</summary>
    public static string CodeOf(Exception error) => error switch
    {
        ChatRequestException e => e.Code,
        PromptTooLongException => "prompt_too_long",
        ModelBusyException => "model_busy",
        AuditUnavailableException => QuestionAudit.UnavailableCode,
        _ => ApiErrors.CodeFor(StatusCodes.Status500InternalServerError),
    };

    public static IActionResult? ToResult(Exception error, HttpResponse response)
    {
        switch (error)
        {
            case ChatRequestException or PromptTooLongException:
                return ApiErrors.Result(400, CodeOf(error), error.Message);
            case ModelBusyException e:
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ApiErrors.Result(503, CodeOf(e), e.Message);
            case AuditUnavailableException e:
                return QuestionAudit.Unavailable(e);
            default:
                return null;
        }
    }

    /// <summary>The error body, for an error that happens after a stream has started.</summary>
    public static ApiErrorBody StreamError(Exception error) => error switch
    {
        ModelBusyException or AuditUnavailableException => new(new ApiError(CodeOf(error), error.Message)),
        _ => new(new ApiError("internal_error", ApiErrors.InternalErrorMessage)),
    };
}
