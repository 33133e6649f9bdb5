using Lode.Retrieval;
using Lode.Tests.Support;

namespace Lode.Tests.Retrieval;

/// <summary>How the text list chooses the lexemes its candidates hold, from the share of chunks holding each.</summary>
public sealed class CandidateWordsTests
{
    // 10,000 chunks; "common" in half of them, "usual" in a tenth, "seldom" in 1%; unlisted words are rarer still.
    private static readonly TermFrequencies Frequencies = new(new Dictionary<string, double>
    {
        ["common"] = 0.5, ["usual"] = 0.1, ["seldom"] = 0.01,
    }, 10_000);

    [Fact]
    public void Unlisted_words_always_count_and_listed_ones_join_rarest_first_within_the_budget()
    {
        // seldom (100) + usual (1,000) fit a budget of 1,500; common (5,000) does not.
        var chosen = CandidateWords.Choose(["common", "usual", "rare", "seldom"], Frequencies, budget: 1_500);

        Assert.False(chosen.AllCommon);
        Assert.Equal(new[] { "rare", "seldom", "usual" }, chosen.Lexemes);
    }

    [Fact]
    public void When_no_word_fits_the_budget_the_rarest_joins_the_chunks_holding_every_word()
    {
        var chosen = CandidateWords.Choose(["common", "usual"], Frequencies, budget: 500);

        Assert.True(chosen.AllCommon);
        Assert.Equal(new[] { "usual" }, chosen.Lexemes);
    }

    [Fact]
    public void When_every_word_is_common_the_chunks_holding_all_of_them_are_looked_for_through_the_rarest_few()
    {
        // 20 common words: the tsv index would read the chunks of all 20 (and of 250 in a long question) to find the
        // few that hold them all; the rarest 8 find them, and the query as written keeps only those.
        var shares = Enumerable.Range(0, 20).ToDictionary(i => $"word{i:00}", i => 0.2 + i / 100.0);
        var chosen = CandidateWords.Choose([.. shares.Keys.Reverse()], new TermFrequencies(shares, 10_000), budget: 100);

        Assert.True(chosen.AllCommon);
        Assert.Equal(shares.Keys.Take(CandidateWords.MaxAllWordsScanned), chosen.AllWordsScanned);
        Assert.Equal("'word00' & 'word01'", new CandidateWords([], true, ["word00", "word01"]).AllOfQuery());
    }

    [Fact]
    public void Without_statistics_every_word_is_a_candidate()
    {
        var chosen = CandidateWords.Choose(["common", "usual", "common"], TermFrequencies.None, budget: 1);

        Assert.False(chosen.AllCommon);
        Assert.Equal(new[] { "common", "usual" }, chosen.Lexemes);
    }

    [Fact]
    public void At_most_a_bounded_number_of_unlisted_words_choose_candidates_the_longest_first()
    {
        // A question of hundreds of words, each just below the statistics' list: every one would make the tsv index
        // read all the chunks holding it.
        var unlisted = Enumerable.Range(0, 200).Select(i => new string('x', 1 + i % 7) + i).ToList();

        var chosen = CandidateWords.Choose([.. unlisted, "seldom"], Frequencies, budget: 1_000);

        Assert.Equal(unlisted.OrderByDescending(l => l.Length).ThenBy(l => l, StringComparer.Ordinal).Take(CandidateWords.MaxUnlisted)
            .Append("seldom"), chosen.Lexemes);
    }

    [Fact]
    public void Without_statistics_the_same_bound_holds()
    {
        var words = Enumerable.Range(0, 100).Select(i => $"word{i:000}").ToList();

        Assert.Equal(CandidateWords.MaxUnlisted, CandidateWords.Choose(words, TermFrequencies.None, budget: 1).Lexemes.Count);
    }

    [Fact]
    public async Task Lexemes_reach_PostgreSQL_as_written_whatever_their_characters()
    {
        string[] lexemes = ["it's", @"back\slash", "two words", "'", "a|b", "x:*", "&!"];
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        foreach (var lexeme in lexemes)
        {
            var query = new CandidateWords([lexeme], AllCommon: false).AnyOfQuery();
            // The lexeme matches a tsvector holding exactly it, and nothing else.
            Assert.True(await db.ScalarAsync<bool>("SELECT array_to_tsvector(ARRAY[$1]) @@ $2::tsquery", lexeme, query));
            Assert.False(await db.ScalarAsync<bool>("SELECT array_to_tsvector(ARRAY['other']) @@ $1::tsquery", query));
        }
        Assert.True(await db.ScalarAsync<bool>("SELECT array_to_tsvector(ARRAY['b']) @@ $1::tsquery",
            new CandidateWords(["a", "b"], AllCommon: false).AnyOfQuery()));
    }
}
