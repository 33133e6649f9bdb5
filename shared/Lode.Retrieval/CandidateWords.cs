namespace Lode.Retrieval;

/// <summary>
/// Which of a query's lexemes choose the chunks the full-text list ranks. Ranking weighs every query word, but ranking
/// every chunk that holds a word found in most chunks is what made the list's cost grow with the index. So candidates
/// are the chunks holding a rare enough word: lexemes absent from the statistics (rarer than every listed one), at most
/// <see cref="MaxUnlisted"/> of them, then listed lexemes rarest first while their summed estimated chunks stay within
/// the budget. When no lexeme is rare enough, the list falls back to chunks holding every word of the query plus those holding the rarest one
/// (<see cref="AllCommon"/>); the candidate cap bounds that case too. The chunks holding every word are looked for
/// through the <see cref="MaxAllWordsScanned"/> rarest (<see cref="AllWordsScanned"/>).
/// </summary>
internal sealed record CandidateWords(IReadOnlyList<string> Lexemes, bool AllCommon, IReadOnlyList<string>? AllWordsScanned = null)
{
    /// <summary>
    /// Most lexemes the tsv index is asked for, ANDed, to find the chunks holding every word when every word is common;
    /// the rarest ones, and the query as written applies to the rows found. The index reads every one of them (it skips
    /// through the longer lists, but not for free): a question of 250 common words took 173 ms at 200,000 chunks to find
    /// no chunk holding them all, its 8 rarest 4 ms (issue 16 review).
    /// </summary>
    public const int MaxAllWordsScanned = 8;

    /// <summary>
    /// Most lexemes absent from the statistics that choose candidates. Each may still be in nearly as many chunks as the
    /// least common listed one (or in any number, without statistics), and the tsv index reads the whole list of chunks
    /// holding each chosen lexeme before any LIMIT applies: at 200,000 chunks a question of 250 words just below the list
    /// put 36,729 chunks in the bitmap, 248 ms against 17 ms for three such words, 60 ms for 16 (issue 16 review; every
    /// word of a question costs up to the list's floor, which grows with the index). The longest come first: they are
    /// the likeliest to be the rare identifiers a question is about. Questions of the manual question sets hold at most
    /// 26 words, so this bounds hostile or pasted text only; ranking still weighs every word.
    /// </summary>
    public const int MaxUnlisted = 16;

    public static CandidateWords Choose(IReadOnlyList<string> lexemes, TermFrequencies frequencies, int budget)
    {
        var rare = new List<string>();
        var listed = new List<(string Lexeme, double Chunks)>();
        foreach (var lexeme in lexemes.Distinct(StringComparer.Ordinal))
        {
            if (frequencies.EstimatedChunks(lexeme) is { } chunks) listed.Add((lexeme, chunks));
            else rare.Add(lexeme);
        }

        var chosen = rare.OrderByDescending(l => l.Length).ThenBy(l => l, StringComparer.Ordinal).Take(MaxUnlisted).ToList();
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

        return new CandidateWords([rarestFirst[0].Lexeme], AllCommon: true,
            AllWordsScanned: rarestFirst.Take(MaxAllWordsScanned).Select(l => l.Lexeme).ToList());
    }

    /// <summary>The lexemes as a tsquery of alternatives (<c>'a' | 'b'</c>), quoted so that the text is taken as written.</summary>
    public string AnyOfQuery() => string.Join(" | ", Lexemes.Select(Quoted));

    /// <summary><see cref="AllWordsScanned"/> as a tsquery that requires each (<c>'a' &amp; 'b'</c>).</summary>
    public string AllOfQuery() => string.Join(" & ", (AllWordsScanned ?? []).Select(Quoted));

    // tsquery input: inside single quotes a quote is doubled and a backslash escapes the next character.
    private static string Quoted(string lexeme) =>
        "'" + lexeme.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
}
