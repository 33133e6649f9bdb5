namespace Lode.Retrieval;

/// <summary>
/// A search that cannot be run as asked; <see cref="Code"/> is the API's error code (HTTP answers it with 400). An
/// <see cref="ArgumentException"/>, since for a caller inside the process it is a bad argument.
/// </summary>
public sealed class SearchRequestException(string code, string message) : ArgumentException(message)
{
    public const string InvalidQuery = "invalid_query";
    public const string InvalidTop = "invalid_top";
    public const string InvalidMode = "invalid_mode";

    public string Code { get; } = code;
}
