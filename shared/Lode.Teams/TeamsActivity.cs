using System.Text.Json;

namespace Lode.Teams;

/// <summary>The body is not a Teams activity Lode can act on.</summary>
public sealed class MalformedActivityException(string message) : Exception(message);

/// <summary>An <c>@mention</c> in a message: whom it names and the markup (<c>&lt;at&gt;Name&lt;/at&gt;</c>) it has in the text.</summary>
public sealed record TeamsMention(string? MentionedId, string? MentionedName, string? Text)
{
    /// <summary>Bots (an outgoing webhook among them) have Teams ids starting with <c>28:</c>; people have <c>29:</c>.</summary>
    public bool IsBot => MentionedId?.StartsWith("28:", StringComparison.Ordinal) == true;
}

/// <summary>
/// The parts of a Bot Framework activity an outgoing webhook receives that Lode uses: what kind, which message, when,
/// who sent it (<see cref="AadObjectId"/> is the user's Azure AD object id), where, and its HTML text with mentions.
/// </summary>
public sealed record TeamsActivity(
    string Type,
    string Id,
    DateTimeOffset Timestamp,
    string Text,
    string? AadObjectId,
    string? UserName,
    string? ConversationId,
    IReadOnlyList<TeamsMention> Mentions)
{
    public const string MessageType = "message";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <exception cref="MalformedActivityException">Not JSON, or no type, id or timestamp.</exception>
    public static TeamsActivity Parse(ReadOnlySpan<byte> body)
    {
        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize<Wire>(body, Json);
        }
        catch (JsonException e)
        {
            // Not e.Message: it names the CLR type being read, which the sender has no business knowing.
            throw new MalformedActivityException(e.Path is { Length: > 1 } path
                ? $"The body is not a Teams activity (at {path})."
                : "The body is not a Teams activity.");
        }
        if (wire is null) throw new MalformedActivityException("The body is not a Teams activity.");
        if (string.IsNullOrEmpty(wire.Type) || string.IsNullOrEmpty(wire.Id) || wire.Timestamp is not { } timestamp)
            throw new MalformedActivityException("A Teams activity needs a type, an id and a timestamp.");

        var mentions = (wire.Entities ?? [])
            .Where(e => string.Equals(e.Type, "mention", StringComparison.OrdinalIgnoreCase))
            .Select(e => new TeamsMention(e.Mentioned?.Id, e.Mentioned?.Name, e.Text))
            .ToList();
        return new TeamsActivity(wire.Type, wire.Id, timestamp, wire.Text ?? "", NullIfEmpty(wire.From?.AadObjectId),
            wire.From?.Name, wire.Conversation?.Id, mentions);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private sealed record Wire(string? Type, string? Id, DateTimeOffset? Timestamp, string? Text, WireAccount? From,
        WireConversation? Conversation, List<WireEntity>? Entities);

    private sealed record WireAccount(string? Id, string? Name, string? AadObjectId);

    private sealed record WireConversation(string? Id);

    private sealed record WireEntity(string? Type, WireAccount? Mentioned, string? Text);
}
