using Lode.Audit;
using Lode.Chat;
using Lode.Chat.Prompting;
using Lode.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Teams;

/// <summary>
/// Handles one request of the Teams outgoing webhook: verify the signature over the raw body, parse the activity,
/// refuse stale or replayed activities, map the sender to groups, and answer the question from the documents those
/// groups may read within the time Teams waits; every answer is an audit row (<see cref="AuditedChat"/>). Nothing is parsed before the signature is verified. Message text is
/// logged at Debug only; the security token never.
/// </summary>
public sealed class TeamsMessageHandler
{
    public const string AuthenticationMethod = "teams-hmac";

    private readonly AuditedChat _chat;
    private readonly TeamsSignatureVerifier _signatures;
    private readonly ReplayGuard _replays;
    private readonly TeamsUserDirectory _users;
    private readonly TimeSpan _answerBudget;
    private readonly string _adminGroup;
    private readonly ILogger<TeamsMessageHandler> _logger;

    public TeamsMessageHandler(AuditedChat chat, IOptions<TeamsOptions> teams, IOptions<SecurityOptions> security,
        TimeProvider clock, ILogger<TeamsMessageHandler> logger)
    {
        var options = teams.Value;
        _chat = chat;
        _signatures = new TeamsSignatureVerifier(options.SecurityToken);
        _replays = new ReplayGuard(TimeSpan.FromSeconds(options.MaxClockSkewSeconds), options.ReplayCacheSize, clock);
        _users = new TeamsUserDirectory(options);
        _answerBudget = TimeSpan.FromSeconds(options.AnswerBudgetSeconds);
        _adminGroup = security.Value.AdminGroup;
        _logger = logger;
    }

    /// <param name="authorization">The request's <c>Authorization</c> header.</param>
    /// <param name="body">The request body exactly as received: the signature covers these bytes.</param>
    public async Task<TeamsOutcome> HandleAsync(string? authorization, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        if (!_signatures.IsValid(authorization, body.Span))
        {
            _logger.LogWarning("Teams webhook request refused: missing or wrong HMAC signature.");
            return new TeamsRefused(TeamsRefusal.BadSignature, "Missing or wrong HMAC signature.");
        }

        TeamsActivity activity;
        try
        {
            activity = TeamsActivity.Parse(body.Span);
        }
        catch (MalformedActivityException e)
        {
            _logger.LogWarning("Teams webhook request refused: {Reason}", e.Message);
            return new TeamsRefused(TeamsRefusal.Malformed, e.Message);
        }

        if (ReplayRefusal(activity) is { } refused)
        {
            _logger.LogWarning("Teams activity {ActivityId} refused: {Reason}", activity.Id, refused.Reason);
            return refused;
        }
        if (activity.Type != TeamsActivity.MessageType)
            return new TeamsRefused(TeamsRefusal.Malformed, $"Only '{TeamsActivity.MessageType}' activities are answered.");

        return await AnswerAsync(activity, ct);
    }

    private TeamsRefused? ReplayRefusal(TeamsActivity activity) =>
        // Message ids are unique within a conversation; the conversation keeps equal ids in two channels apart.
        _replays.Check($"{activity.ConversationId}\n{activity.Id}", activity.Timestamp) switch
        {
            ReplayVerdict.Accepted => null,
            ReplayVerdict.OutsideWindow => new TeamsRefused(TeamsRefusal.Stale, "The activity's timestamp is outside the allowed clock skew."),
            ReplayVerdict.Replayed => new TeamsRefused(TeamsRefusal.Replayed, "This activity was already received."),
            _ => new TeamsRefused(TeamsRefusal.Overloaded, "Too many Teams messages at once; try again shortly."),
        };

    private async Task<TeamsOutcome> AnswerAsync(TeamsActivity activity, CancellationToken ct)
    {
        var question = TeamsMessageText.Question(activity);
        var caller = activity.AadObjectId is { } user
            ? Caller.Create("teams:" + user, AuthenticationMethod, _users.GroupsOf(user), _adminGroup)
            : null;
        _logger.LogDebug("Teams question from {Caller}: {Question}", caller?.Name, question);

        if (question.Length == 0) return new TeamsReplied(TeamsReply.Message(TeamsReply.EmptyQuestionText), caller, question, null);
        if (caller is not { Groups.Count: > 0 })
        {
            _logger.LogInformation("Teams question from {Caller} not answered: the user has no groups configured.", caller?.Name ?? "an unidentified user");
            return new TeamsReplied(TeamsReply.NoAccess(activity.AadObjectId), caller, question, null);
        }

        try
        {
            var answer = await _chat.AnswerWithinAsync(caller, AuditSurfaces.Teams, new ChatRequest([new ChatTurn("user", question)], caller.Groups), _answerBudget, ct);
            _logger.LogInformation("Teams question from {Caller} answered ({Mode}, {FinishReason}) with {Citations} citations.",
                caller.Name, answer.Mode, answer.FinishReason, answer.Citations.Count);
            return new TeamsReplied(TeamsReply.ForAnswer(answer), caller, question, answer);
        }
        catch (Exception e) when (e is ChatRequestException or PromptTooLongException)
        {
            // The question itself cannot be answered (too long, ...): tell the asker in the thread.
            return new TeamsReplied(TeamsReply.Message(e.Message), caller, question, null);
        }
    }
}
