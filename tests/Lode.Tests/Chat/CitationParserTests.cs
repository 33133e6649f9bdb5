using Lode.Chat.Answering;

namespace Lode.Tests.Chat;

public sealed class CitationParserTests
{
    [Theory]
    [InlineData("Leave is 25 days [1].", 3, new[] { 1 })]
    [InlineData("A [2][3] and B [1].", 3, new[] { 2, 3, 1 })]
    [InlineData("Both [1, 3] and [2-3].", 3, new[] { 1, 3, 2 })]
    [InlineData("Only real sources [4] [0] [1].", 3, new[] { 1 })]
    [InlineData("No citations here, but [x] and [] appear.", 3, new int[0])]
    [InlineData("Repeated [2] and [2] again.", 3, new[] { 2 })]
    public void Cited_numbers_are_read_in_order_and_limited_to_real_sources(string answer, int sources, int[] expected) =>
        Assert.Equal(expected, CitationParser.Cited(answer, sources));
}
