using Lode.Chat;
using Lode.Identity;

namespace Lode.Teams;

/// <summary>Why a Teams request was not acted on.</summary>
public enum TeamsRefusal
{
    /// <summary>Missing or wrong HMAC signature (or no security token configured): not provably from Teams.</summary>
    BadSignature,
    /// <summary>Signed, but not an activity Lode can act on.</summary>
    Malformed,
    /// <summary>Signed, but sent longer ago (or further ahead) than the allowed clock skew: possibly a captured copy.</summary>
    Stale,
    /// <summary>Signed, but this activity was already answered.</summary>
    Replayed,
    /// <summary>More activities within the replay window than the replay cache holds.</summary>
    Overloaded,
}

/// <summary>What became of a request to the Teams webhook.</summary>
public abstract record TeamsOutcome;

/// <summary>Refused before anything was processed; <see cref="Message"/> says why, for the caller.</summary>
public sealed record TeamsRefused(TeamsRefusal Reason, string Message) : TeamsOutcome;

/// <summary>
/// A genuine message, answered with <see cref="Reply"/>. <see cref="Caller"/> is who asked (null when the activity
/// names no Azure AD user), <see cref="Question"/> the cleaned text, and <see cref="Answer"/> the chat's answer
/// when the question went to the documents (null for an empty question, a user without access, or a refused question).
/// </summary>
public sealed record TeamsReplied(TeamsReply Reply, Caller? Caller, string Question, Completed? Answer) : TeamsOutcome;
