using Lode.Chat.Answering;
using Lode.Chat.Prompting;
using Lode.Retrieval;

namespace Lode.Tests.Chat;

/// <summary>The extractive answer quotes the sentences that answer, ranked across the sources, and nothing that is not prose.</summary>
public sealed class ExtractiveAnswererTests
{
    private static NumberedSource Source(int number, string text, params string[] headingPath) =>
        new(number, new RetrievedChunk(Guid.NewGuid(), "docs", $"manual{number}.pdf", number, number, text, 1.0 / number)
        {
            HeadingPath = headingPath,
        });

    /// <summary>The quoted lines of an answer, without the label.</summary>
    private static List<string> Quotes(string answer) =>
        answer.Split('\n').Where(line => line.StartsWith("- ", StringComparison.Ordinal)).ToList();

    [Fact]
    public void The_sentence_that_answers_comes_first_even_from_a_lower_ranked_source()
    {
        var sources = new[]
        {
            Source(1, "The installer copies the files into place. It then asks a few questions about the system layout."),
            Source(2, "Packages are kept back from upgrades with apt-mark hold, which marks them as held. Other packages upgrade as usual."),
        };

        var quotes = Quotes(ExtractiveAnswerer.Answer("How do I keep a package from being upgraded?", sources, passages: 2));

        Assert.StartsWith("- Packages are kept back from upgrades with apt-mark hold", quotes[0]);
        Assert.EndsWith("[2]", quotes[0]);
    }

    [Fact]
    public void Table_of_contents_index_lines_and_headings_are_never_quoted()
    {
        var sources = new[]
        {
            Source(1, "Contents\n4.6 Phony Targets . . . . . . . . . . . . 31\n4.7 Rules without Recipes or Prerequisites . . . . 32"),
            Source(2, "Index\nphony targets, 31, 45\nphony target rules 33"),
            Source(3, "4.6 Phony Targets\n\nA phony target is one that is not really the name of a file; it is just a name for a recipe to be executed."),
        };

        var quotes = Quotes(ExtractiveAnswerer.Answer("What is a phony target?", sources, passages: 3));

        var quote = Assert.Single(quotes);
        Assert.Equal("- A phony target is one that is not really the name of a file; it is just a name for a recipe to be executed. [3]", quote);
    }

    [Fact]
    public void A_rare_question_word_outweighs_common_ones_and_one_source_gives_at_most_two_quotes()
    {
        var sources = new[]
        {
            Source(1, "The file is read at start. The file is written at exit. The file holds the settings of the file system tools. The file is small."),
            Source(2, "Set the quota of a user in the quota file before mounting the volume again."),
        };

        var quotes = Quotes(ExtractiveAnswerer.Answer("Where is the quota file?", sources, passages: 4));

        Assert.StartsWith("- Set the quota of a user", quotes[0]);
        Assert.True(quotes.Count(q => q.EndsWith("[1]", StringComparison.Ordinal)) <= 2);
    }

    [Fact]
    public void A_heading_word_counts_for_the_sentences_under_it()
    {
        var sources = new[]
        {
            Source(1, "Run the tool twice to be sure it finished its work properly."),
            Source(2, "Run the tool with the restore option to bring the files back from the archive.", "Backups", "Restoring"),
        };

        var quotes = Quotes(ExtractiveAnswerer.Answer("restoring backups with the tool", sources, passages: 1));

        Assert.EndsWith("[2]", Assert.Single(quotes));
    }

    [Fact]
    public void Without_any_shared_word_the_best_passages_open_the_answer()
    {
        var sources = new[]
        {
            Source(1, "Alpha beta gamma delta epsilon zeta. Second sentence here follows on."),
            Source(2, "Eta theta iota kappa lambda mu nu. More words are written here."),
        };

        var answer = ExtractiveAnswerer.Answer("xylophone?", sources, passages: 2);

        Assert.StartsWith(ExtractiveAnswerer.Label, answer);
        Assert.Equal(["- Alpha beta gamma delta epsilon zeta. Second sentence here follows on. [1]",
            "- Eta theta iota kappa lambda mu nu. More words are written here. [2]"], Quotes(answer));
    }
}
