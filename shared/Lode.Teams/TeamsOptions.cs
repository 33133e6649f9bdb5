using System.ComponentModel.DataAnnotations;
using Lode.Identity;

namespace Lode.Teams;

/// <summary>Configuration section <c>Teams</c>: the Microsoft Teams outgoing webhook (<c>POST api/teams/messages</c>).</summary>
public sealed class TeamsOptions : IValidatableObject
{
    public const string SectionName = "Teams";

    /// <summary>
    /// The security token Teams shows once when the outgoing webhook is created (base64). Requests are signed with
    /// it. Empty (the default): every request is refused.
    /// </summary>
    public string SecurityToken { get; set; } = "";

    /// <summary>Accepted distance between an activity's <c>timestamp</c> and now; also how long activity ids are remembered.</summary>
    [Range(1, 3600)]
    public int MaxClockSkewSeconds { get; set; } = 300;

    /// <summary>Activity ids remembered at most; when that many are still inside the window, new activities are refused.</summary>
    [Range(100, 1_000_000)]
    public int ReplayCacheSize { get; set; } = 10_000;

    /// <summary>
    /// Groups of Teams users, by Azure AD object id (<c>from.aadObjectId</c>):
    /// <c>Teams:UserGroups:&lt;aadObjectId&gt;:0..n</c>. The groups decide which documents the user's questions draw on.
    /// </summary>
    public Dictionary<string, List<string>> UserGroups { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Groups of a Teams user <see cref="UserGroups"/> does not name. Empty (the default): such users get no answers.</summary>
    public List<string> DefaultGroups { get; set; } = [];

    /// <summary>
    /// Time for an answer: Teams gives up after about five seconds, so when the model is not done by then the reply
    /// quotes the most relevant passages instead.
    /// </summary>
    [Range(0.1, 60.0)]
    public double AnswerBudgetSeconds { get; set; } = 4.5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TeamsSignatureVerifier.IsValidToken(SecurityToken))
        {
            yield return new ValidationResult(
                "Teams:SecurityToken must be the base64 security token Teams showed when the outgoing webhook was created.",
                [nameof(SecurityToken)]);
        }
    }
}
