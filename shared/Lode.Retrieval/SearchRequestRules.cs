namespace Lode.Retrieval;

/// <summary>
/// What a search request may ask for, within <see cref="RetrievalOptions"/>: the one definition the retriever enforces
/// and the API answers with (<see cref="SearchRequestException"/>), so the HTTP layer repeats no limit.
/// </summary>
public static class SearchRequestRules
{
    /// <summary>How many chunks a search returns when the caller does not say.</summary>
    public const int DefaultTop = 8;

    /// <summary>A search of <paramref name="query"/> as asked (null <paramref name="top"/> or <paramref name="mode"/>: the defaults), checked.</summary>
    public static SearchRequest Create(string? query, IReadOnlyCollection<string> readerGroups, int? top, string? mode, SearchFilter filter,
        bool includeNavigation, RetrievalOptions limits)
    {
        var request = new SearchRequest(query ?? "", readerGroups, top ?? Math.Min(DefaultTop, limits.MaxTop), filter, SearchMode.Hybrid, includeNavigation);
        Check(request, limits);
        return request with { Mode = Mode(mode) };
    }

    /// <summary>Throws <see cref="SearchRequestException"/> for a query, top or mode outside the limits.</summary>
    public static void Check(SearchRequest request, RetrievalOptions limits)
    {
        if (string.IsNullOrWhiteSpace(request.Query))
            throw new SearchRequestException(SearchRequestException.InvalidQuery, "query must be a non-empty string.");
        if (request.Query.Length > limits.MaxQueryChars)
            throw new SearchRequestException(SearchRequestException.InvalidQuery, $"query must be at most {limits.MaxQueryChars} characters.");
        if (request.Top < 1 || request.Top > limits.MaxTop)
            throw new SearchRequestException(SearchRequestException.InvalidTop, $"top must be a whole number from 1 to {limits.MaxTop}.");
        if (!Enum.IsDefined(request.Mode)) throw new SearchRequestException(SearchRequestException.InvalidMode, ModeMessage);
    }

    private const string ModeMessage = "mode must be one of hybrid, vector, text.";

    private static SearchMode Mode(string? name) =>
        string.IsNullOrEmpty(name) ? SearchMode.Hybrid
        : SearchModeNames.TryParse(name, out var mode) ? mode
        : throw new SearchRequestException(SearchRequestException.InvalidMode, ModeMessage);
}
