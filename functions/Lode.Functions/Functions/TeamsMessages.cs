using Lode.Audit;
using Lode.Teams;
using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST api/teams/messages: a Microsoft Teams outgoing webhook. Teams signs each message with the webhook's security
/// token (<c>Authorization: HMAC &lt;signature&gt;</c>); a signed, fresh message is answered with a message activity
/// that Teams posts in the thread. Anything unsigned, stale or replayed gets 401 and is not processed.
/// </summary>
public sealed class TeamsMessages(TeamsMessageHandler teams, QuestionAudit audit)
{
    // A Teams message carries at most ~28 KB of text; with its HTML copy and entities it stays well below this.
    private const long MaxBodyBytes = 256 << 10;

    [Function(nameof(TeamsMessages))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/teams/messages")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> body;
        try
        {
            body = await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        }
        catch (RequestTooLargeException e)
        {
            return ApiErrors.Result(StatusCodes.Status413PayloadTooLarge, "payload_too_large", e.Message);
        }

        switch (await teams.HandleAsync(request.Headers.Authorization, body, cancellationToken))
        {
            case TeamsReplied { Caller: { } caller, Answer: { } answer } replied:
                // Every Teams message that reached the documents passes here: recorded like any other question.
                return await audit.AnsweredAsync(caller, AuditSurfaces.Teams, replied.Question, answer, new OkObjectResult(replied.Reply));
            case TeamsReplied replied:
                // Nothing was asked of the documents (no question, or a user without groups): nothing to audit.
                return new OkObjectResult(replied.Reply);
            case TeamsRefused refused:
                return Refusal(refused);
            default:
                throw new InvalidOperationException("Unknown Teams outcome.");
        }
    }

    private static IActionResult Refusal(TeamsRefused refused) => refused.Reason switch
    {
        TeamsRefusal.Malformed => ApiErrors.Result(StatusCodes.Status400BadRequest, "malformed_activity", refused.Message),
        TeamsRefusal.Overloaded => ApiErrors.Result(StatusCodes.Status429TooManyRequests, "too_many_requests", refused.Message),
        TeamsRefusal.Stale => ApiErrors.Result(StatusCodes.Status401Unauthorized, "stale_activity", refused.Message),
        TeamsRefusal.Replayed => ApiErrors.Result(StatusCodes.Status401Unauthorized, "replayed_activity", refused.Message),
        _ => ApiErrors.Result(StatusCodes.Status401Unauthorized, "unauthorized", refused.Message),
    };
}
