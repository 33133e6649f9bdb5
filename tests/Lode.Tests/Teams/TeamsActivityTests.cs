using System.Text;
using Lode.Teams;

namespace Lode.Tests.Teams;

/// <summary>Reading a Teams activity and the question in its HTML text.</summary>
public sealed class TeamsActivityTests
{
    private const string User = "d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0";

    [Fact]
    public void A_realistic_channel_message_is_read()
    {
        var sent = new DateTimeOffset(2025, 3, 14, 9, 26, 53, 437, TimeSpan.Zero);

        var activity = TeamsActivity.Parse(TeamsWebhook.Message(User, "How many days of leave?", sent, id: "1741944413437"));

        Assert.Equal("message", activity.Type);
        Assert.Equal("1741944413437", activity.Id);
        Assert.Equal(sent, activity.Timestamp);
        Assert.Equal(User, activity.AadObjectId);
        Assert.Equal("Megan Bowen", activity.UserName);
        Assert.StartsWith("19:253b1f341670408fb6fe51050b6e5ceb@thread.skype", activity.ConversationId);
        var mention = Assert.Single(activity.Mentions);
        Assert.True(mention.IsBot);
        Assert.Equal("<at>Lode</at>", mention.Text);
    }

    [Fact]
    public void The_question_loses_the_bot_mention_tags_and_entities()
    {
        var activity = TeamsActivity.Parse(TeamsWebhook.Message(User, "How many <b>days</b> of&nbsp;leave?<br><p>In 2025 &amp; 2026</p>"));

        Assert.Equal("How many days of leave? In 2025 & 2026", TeamsMessageText.Question(activity));
    }

    [Fact]
    public void Other_people_mentioned_in_the_question_keep_their_names()
    {
        var activity = Activity("<at>Lode</at> who approves leave for <at>Alex Wilber</at>?",
            ("28:bot", "Lode", "<at>Lode</at>"), ("29:alex", "Alex Wilber", "<at>Alex Wilber</at>"));

        Assert.Equal("who approves leave for Alex Wilber?", TeamsMessageText.Question(activity));
    }

    [Fact]
    public void Without_a_mention_entity_the_leading_mention_is_taken_as_the_bots()
    {
        var activity = Activity("<at>Lode</at> who approves leave for <at>Alex Wilber</at>?");

        Assert.Equal("who approves leave for Alex Wilber?", TeamsMessageText.Question(activity));
    }

    [Fact]
    public void Encoded_markup_is_what_the_user_typed_and_stays()
    {
        var activity = TeamsActivity.Parse(TeamsWebhook.Message(User, "what does &lt;b&gt; mean?"));

        Assert.Equal("what does <b> mean?", TeamsMessageText.Question(activity));
    }

    [Fact]
    public void A_message_with_only_the_mention_has_an_empty_question() =>
        Assert.Equal("", TeamsMessageText.Question(TeamsActivity.Parse(TeamsWebhook.Message(User, " <p>&nbsp;</p>"))));

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"type":"message","timestamp":"2025-03-14T09:26:53.437Z","text":"hi"}""")]
    [InlineData("""{"type":"message","id":"1","text":"hi"}""")]
    [InlineData("""{"type":"message","id":"1","timestamp":"yesterday","text":"hi"}""")]
    [InlineData("""{"id":"1","timestamp":"2025-03-14T09:26:53.437Z","text":"hi"}""")]
    public void Bodies_without_type_id_or_a_valid_timestamp_are_malformed(string json) =>
        Assert.Throws<MalformedActivityException>(() => TeamsActivity.Parse(Encoding.UTF8.GetBytes(json)));

    private static TeamsActivity Activity(string text, params (string Id, string Name, string Text)[] mentions) =>
        new("message", "1", DateTimeOffset.UtcNow, text, User, "Megan Bowen", "19:c@thread.skype",
            mentions.Select(m => new TeamsMention(m.Id, m.Name, m.Text)).ToList());
}
