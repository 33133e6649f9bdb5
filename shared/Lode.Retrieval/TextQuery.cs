namespace Lode.Retrieval;

/// <summary>
/// The query as the full-text list reads it. Read whole by <c>websearch_to_tsquery</c> (every word required, "quoted
/// phrases", <c>or</c>), a question in natural language is too strict: hardly any passage holds every word of "how do I
/// stop one package from being upgraded". So the list takes chunks that hold ANY of the words (<see cref="AnyWord"/>),
/// puts those that match the whole query (<see cref="AllWords"/>) first and ranks the rest by how much of the query
/// they hold. A leading '-' is kept as part of its word instead of excluding it: questions about manuals quote
/// command-line flags (<c>-lfoo</c>, <c>--force</c>) far more often than they exclude words.
/// </summary>
/// <param name="Words">The words of <see cref="AnyWord"/> without the "or"s: the text whose lexemes choose the candidates.</param>
internal sealed record TextQuery(string AllWords, string AnyWord, string Words)
{
    public static TextQuery From(string query)
    {
        var all = new List<string>();
        var any = new List<string>();
        var inQuotes = false;
        foreach (var raw in query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            // websearch_to_tsquery reads "-word" as NOT word; the text parser drops the dash of "-word" anyway.
            var token = inQuotes ? raw : raw.TrimStart('-');
            if (raw.Count(c => c == '"') % 2 == 1) inQuotes = !inQuotes;
            if (token.Length > 0) all.Add(token);

            // Every word of a phrase counts on its own in the any-word list, and never as a negation.
            var word = token.Replace("\"", "", StringComparison.Ordinal).TrimStart('-');
            if (word.Length > 0 && !word.Equals("or", StringComparison.OrdinalIgnoreCase)) any.Add(word);
        }
        // "or" between the words makes websearch_to_tsquery build 'w1' | 'w2' | …, stemmed, stop words dropped.
        return new TextQuery(string.Join(' ', all), string.Join(" or ", any), string.Join(' ', any));
    }
}
