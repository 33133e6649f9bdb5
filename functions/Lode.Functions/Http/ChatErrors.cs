using Lode.Audit;
using Lode.Chat.Models;

namespace Lode.Functions.Http;

/// <summary>How a chat failure is told once a stream has started and no status can be sent any more.</summary>
public static class ChatErrors
{
    /// <summary>The error body, for an error that happens after a stream has started.</summary>
    public static ApiErrorBody StreamError(Exception error) => error switch
    {
        ModelBusyException or AuditUnavailableException => new(new ApiError(ApiProblems.CodeOf(error), error.Message)),
        _ => new(new ApiError(ApiProblems.Internal.Code, ApiErrors.InternalErrorMessage)),
    };
}
