namespace Lode.Chat;

/// <summary>The conversation cannot be answered as sent (no question, too long, ...). HTTP maps it to 400.</summary>
public sealed class ChatRequestException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
