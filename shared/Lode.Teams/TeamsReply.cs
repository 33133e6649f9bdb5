using System.Text;
using Lode.Chat;

namespace Lode.Teams;

/// <summary>
/// What the webhook answers with: a Bot Framework message activity, <c>{"type":"message","text":"..."}</c>, whose
/// text Teams renders as Markdown in the thread the question was asked in.
/// </summary>
public sealed record TeamsReply(string Type, string Text)
{
    public const string EmptyQuestionText =
        "Mention me with a question about the documents, for example: *How many days of annual leave do we get?*";

    public static TeamsReply Message(string text) => new(TeamsActivity.MessageType, text);

    /// <summary>The answer, then the sources it cites, one per line: <c>[1] `bucket/key`, p. 3</c>.</summary>
    public static TeamsReply ForAnswer(Completed answer)
    {
        var text = new StringBuilder(TeamsMarkdown.Quote(answer.Answer));
        if (answer.Citations.Count > 0)
        {
            text.Append("\n\n**Sources**");
            // Paragraphs, not a Markdown list: Teams renders lists in text messages on the desktop only.
            foreach (var citation in answer.Citations)
            {
                text.Append("\n\n[").Append(citation.Number).Append("] ")
                    .Append(TeamsMarkdown.Code(citation.Document)).Append(", ").Append(citation.Pages);
            }
        }
        return Message(text.ToString());
    }

    /// <summary>For a user with no groups: nothing is retrieved; the id lets an administrator grant access.</summary>
    public static TeamsReply NoAccess(string? aadObjectId) => Message(aadObjectId is null
        ? "I cannot tell which account sent this message, so I cannot answer from the documents."
        : $"You have no access to the documents through Teams yet. Ask a Lode administrator to map your account ({TeamsMarkdown.Code(aadObjectId)}) to document groups.");
}
