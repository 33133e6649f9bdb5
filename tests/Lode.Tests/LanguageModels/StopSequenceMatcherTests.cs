using Lode.Chat.Models;

namespace Lode.Tests.LanguageModels;

public sealed class StopSequenceMatcherTests
{
    [Fact]
    public void A_stop_sequence_split_across_pieces_is_never_emitted()
    {
        var matcher = new StopSequenceMatcher(["\n### "]);

        var emitted = string.Concat(new[] { "The answer", ".\n", "##", "# User" }.Select(matcher.Append));

        Assert.Equal("The answer.", emitted);
        Assert.True(matcher.Stopped);
        Assert.Equal("", matcher.Append("more"));
    }

    [Fact]
    public void Held_back_text_that_turns_out_not_to_stop_is_emitted_in_order()
    {
        var matcher = new StopSequenceMatcher(["STOP"]);

        Assert.Equal("a ", matcher.Append("a ST"));
        Assert.Equal("STa", matcher.Append("a"));
        Assert.Equal("", matcher.Append("S"));
        Assert.Equal("S", matcher.Flush());
        Assert.False(matcher.Stopped);
    }

    [Fact]
    public void The_earliest_of_several_stop_sequences_wins_and_no_stops_pass_everything()
    {
        var matcher = new StopSequenceMatcher(["world", "lo"]);
        Assert.Equal("hel", matcher.Append("hello world"));

        var none = new StopSequenceMatcher(null);
        Assert.Equal("hello", none.Append("hello"));
        Assert.Equal("", none.Flush());
    }
}
