namespace Lode.Retrieval;

/// <summary>Search modes as the API and reports spell them: <c>hybrid</c>, <c>vector</c>, <c>text</c>.</summary>
public static class SearchModeNames
{
    public static string Of(SearchMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>The mode <paramref name="name"/> names (any case); false for anything else, numbers included.</summary>
    public static bool TryParse(string? name, out SearchMode mode)
    {
        mode = SearchMode.Hybrid;
        return !string.IsNullOrEmpty(name) && !int.TryParse(name, out _)
            && Enum.TryParse(name, ignoreCase: true, out mode) && Enum.IsDefined(mode);
    }
}
