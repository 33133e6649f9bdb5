namespace Lode.Chat;

/// <summary>
/// <see cref="AnswerMode"/> as the API and the audit trail name it (<c>generated</c>, <c>extractive</c>,
/// <c>nosources</c>): one spelling wherever an answer's mode leaves the process.
/// </summary>
public static class AnswerModeNames
{
    public static string Of(AnswerMode mode) => mode.ToString().ToLowerInvariant();
}
