using Lode.Audit;
using Lode.Chat;
using Lode.Chat.Models;
using Lode.Chat.Prompting;
using Lode.Teams;
using Lode.Ingestion;
using Lode.Ingestion.Events;
using Lode.Ingestion.Links;
using Lode.Ingestion.Operations;
using Lode.Ingestion.Queue;
using Lode.Functions.Hosting;
using Lode.Retrieval;
using Microsoft.AspNetCore.Http;

namespace Lode.Functions.Http;

/// <summary>
/// The one place an exception becomes an HTTP error: <see cref="ApiException"/> as it is, the libraries' coded
/// exceptions (which know no HTTP) with the status their code means here. Anything else is not the caller's mistake:
/// the pipeline logs it and answers <see cref="Internal"/>.
/// </summary>
public static class ApiProblems
{
    public const string AuditUnavailableCode = "audit_unavailable";

    public static readonly ApiException Internal = new(StatusCodes.Status500InternalServerError,
        ApiErrors.CodeFor(StatusCodes.Status500InternalServerError), ApiErrors.InternalErrorMessage);

    /// <summary>The error to answer for <paramref name="error"/>; null when it is unexpected (a 500).</summary>
    public static ApiException? From(Exception error) => error switch
    {
        ApiException api => api,
        RequestTooLargeException e => new(StatusCodes.Status413PayloadTooLarge, "payload_too_large", e.Message),
        RouteValueException e => ApiException.BadRequest("invalid_route_value", e.Message),
        MalformedEventException e => ApiException.BadRequest("malformed_event", e.Message),
        IntakeUnavailableException e => new(StatusCodes.Status503ServiceUnavailable, "intake_unavailable", e.Message, e.RetryAfter),
        ReindexRequestException e => new(e.Code == ReindexRequestException.BucketNotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, e.Code, e.Message),
        UploadRefusedException e => new(UploadStatus(e.Code), e.Code, e.Message),
        SearchRequestException e => ApiException.BadRequest(e.Code, e.Message),
        ChatRequestException e => ApiException.BadRequest(e.Code, e.Message),
        PromptTooLongException e => ApiException.BadRequest("prompt_too_long", e.Message),
        ModelBusyException e => new(StatusCodes.Status503ServiceUnavailable, "model_busy", e.Message, e.RetryAfter),
        AuditUnavailableException e => new(StatusCodes.Status503ServiceUnavailable, AuditUnavailableCode, e.Message),
        _ => null,
    };

    /// <summary>The code an answer that failed with <paramref name="error"/> is answered and audited with.</summary>
    public static string CodeOf(Exception error) => (From(error) ?? Internal).Code;

    /// <summary>A Teams message that is not answered: why, as the status Teams (and its operators) see.</summary>
    public static ApiException From(TeamsRefused refused) => refused.Reason switch
    {
        TeamsRefusal.Malformed => ApiException.BadRequest("malformed_activity", refused.Message),
        TeamsRefusal.Overloaded => new(StatusCodes.Status429TooManyRequests, "too_many_requests", refused.Message),
        TeamsRefusal.Stale => new(StatusCodes.Status401Unauthorized, "stale_activity", refused.Message),
        TeamsRefusal.Replayed => new(StatusCodes.Status401Unauthorized, "replayed_activity", refused.Message),
        _ => new(StatusCodes.Status401Unauthorized, "unauthorized", refused.Message),
    };

    private static int UploadStatus(string code) => code switch
    {
        UploadRefusedException.NotAllowed => StatusCodes.Status403Forbidden,
        UploadRefusedException.ObjectExists => StatusCodes.Status409Conflict,
        UploadRefusedException.TooLarge => StatusCodes.Status413PayloadTooLarge,
        UploadRefusedException.NotConfigured => StatusCodes.Status503ServiceUnavailable,
        BucketProblem.BucketNotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status400BadRequest,
    };
}
