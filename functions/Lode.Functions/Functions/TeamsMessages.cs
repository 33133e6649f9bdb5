using Lode.Teams;
using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST api/teams/messages: a Microsoft Teams outgoing webhook. Teams signs each message with the webhook's security
/// token (<c>Authorization: HMAC &lt;signature&gt;</c>); a signed, fresh message is answered with a message activity
/// that Teams posts in the thread. Anything unsigned, stale or replayed gets 401 and is not processed. A Teams message
/// carries at most ~28 KB of text; with its HTML copy and entities it stays well below the body limit.
/// </summary>
public sealed class TeamsMessages(TeamsMessageHandler teams)
{
    [Function(nameof(TeamsMessages)), CallerAccess(AllowedCallers.TeamsSignature), MaxBody(256 << 10)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/teams/messages")] HttpRequest request,
        [Body] ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        switch (await teams.HandleAsync(request.Headers.Authorization, body, cancellationToken))
        {
            case TeamsReplied replied:
                // An answer from the documents was recorded by the handler's audited chat, like any other question.
                return new OkObjectResult(replied.Reply);
            case TeamsRefused refused:
                throw ApiProblems.From(refused);
            default:
                throw new InvalidOperationException("Unknown Teams outcome.");
        }
    }
}
