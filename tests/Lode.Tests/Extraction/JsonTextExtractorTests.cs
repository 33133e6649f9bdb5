using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

public sealed class JsonTextExtractorTests
{
    private readonly JsonTextExtractor _extractor = new();

    [Fact]
    public void Flattens_json_to_one_path_and_value_per_line()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "valid.json"));

        Assert.Equal(
            """
            library: Lode
            version: 3
            active: true
            maintainers[0].name: Ada Lovelace
            maintainers[0].role: lead
            maintainers[1].name: Alan Turing
            maintainers[1].role: reviewer
            empty: {}
            none: null
            notes: first line second line
            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Rejects_invalid_json_as_corrupt()
    {
        var reason = TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, "invalid.json"));

        Assert.Equal(RejectionReason.Corrupt, reason);
    }

    [Fact]
    public void Accepts_comments_and_trailing_commas()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "{ // port\n \"port\": 8080, }"u8.ToArray()));

        Assert.Equal("port: 8080", text);
    }

    [Fact]
    public void A_top_level_scalar_is_just_its_value()
    {
        Assert.Equal("hello", TestFiles.SingleText(TestFiles.Extract(_extractor, "\"hello\""u8.ToArray())));
    }
}
