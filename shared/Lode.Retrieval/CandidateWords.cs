namespace Lode.Retrieval;

/// <summary>
/// Which of a query's lexemes choose the chunks the full-text list ranks. Ranking weighs every query word, but ranking
/// every chunk that holds a word found in most chunks is what made the list's cost grow with the index. So candidates
/// are the chunks holding a rare enough word: lexemes absent from the statistics (rarer than every listed one) always,
/// then listed lexemes rarest first while their summed estimated chunks stay within the budget. When no lexeme is rare
/// enough, the list falls back to chunks holding every word of the query plus those holding the rarest one
/// (<see cref="AllCommon"/>); the candidate cap bounds that case too.
/// </summary>
internal sealed record CandidateWords(IReadOnlyList<string> Lexemes, bool AllCommon)
{
    public static CandidateWords Choose(IReadOnlyList<string> lexemes, TermFrequencies frequencies, int budget)
    {
        var rare = new List<string>();
        var listed = new List<(string Lexeme, double Chunks)>();
        foreach (var lexeme in lexemes.Distinct(StringComparer.Ordinal))
        {
            if (frequencies.EstimatedChunks(lexeme) is { } chunks) listed.Add((lexeme, chunks));
            else rare.Add(lexeme);
        }

        var chosen = new List<string>(rare);
        double expected = 0;
        // Rarest first; equal estimates in a stable order so that one query always gets one plan.
        var rarestFirst = listed.OrderBy(l => l.Chunks).ThenBy(l => l.Lexeme, StringComparer.Ordinal).ToList();
        foreach (var (lexeme, chunks) in rarestFirst)
        {
            if (expected + chunks > budget) break;
            expected += chunks;
            chosen.Add(lexeme);
        }
        if (chosen.Count > 0 || listed.Count == 0) return new CandidateWords(chosen, AllCommon: false);

        return new CandidateWords([rarestFirst[0].Lexeme], AllCommon: true);
    }

    /// <summary>The lexemes as a tsquery of alternatives (<c>'a' | 'b'</c>), quoted so that the text is taken as written.</summary>
    public string AnyOfQuery() => string.Join(" | ", Lexemes.Select(Quoted));

    // tsquery input: inside single quotes a quote is doubled and a backslash escapes the next character.
    private static string Quoted(string lexeme) =>
        "'" + lexeme.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
}
