namespace Lode.Benchmarks;

/// <summary>
/// Known text for the OCR benchmark: two public-domain passages of real prose. The first is the one any tuning of the
/// OCR settings or the rendering was done on; the second was only ever measured, so its accuracy is not tuned to.
/// Straight ASCII quotes and dashes, as a typewriter or an office printer sets them.
/// </summary>
internal static class OcrPassages
{
    public sealed record Passage(string Name, bool UsedForTuning, string Text);

    public static readonly Passage Gettysburg = new("Gettysburg Address (Lincoln, 1863)", UsedForTuning: true, """
        Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty,
        and dedicated to the proposition that all men are created equal. Now we are engaged in a great civil war,
        testing whether that nation, or any nation so conceived and so dedicated, can long endure. We are met on a great
        battle-field of that war. We have come to dedicate a portion of that field, as a final resting place for those
        who here gave their lives that that nation might live. It is altogether fitting and proper that we should do
        this. But, in a larger sense, we can not dedicate -- we can not consecrate -- we can not hallow -- this ground.
        The brave men, living and dead, who struggled here, have consecrated it, far above our poor power to add or
        detract. The world will little note, nor long remember what we say here, but it can never forget what they did
        here. It is for us the living, rather, to be dedicated here to the unfinished work which they who fought here
        have thus far so nobly advanced. It is rather for us to be here dedicated to the great task remaining before us
        -- that from these honored dead we take increased devotion to that cause for which they gave the last full
        measure of devotion -- that we here highly resolve that these dead shall not have died in vain -- that this
        nation, under God, shall have a new birth of freedom -- and that government of the people, by the people, for
        the people, shall not perish from the earth.
        """);

    public static readonly Passage PrideAndPrejudice = new("Pride and Prejudice, chapter 1 (Austen, 1813)", UsedForTuning: false, """
        It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a
        wife. However little known the feelings or views of such a man may be on his first entering a neighbourhood,
        this truth is so well fixed in the minds of the surrounding families, that he is considered the rightful
        property of some one or other of their daughters. "My dear Mr. Bennet," said his lady to him one day, "have you
        heard that Netherfield Park is let at last?" Mr. Bennet replied that he had not. "But it is," returned she; "for
        Mrs. Long has just been here, and she told me all about it." Mr. Bennet made no answer. "Do you not want to know
        who has taken it?" cried his wife impatiently. "You want to tell me, and I have no objection to hearing it."
        This was invitation enough. "Why, my dear, you must know, Mrs. Long says that Netherfield is taken by a young
        man of large fortune from the north of England; that he came down on Monday in a chaise and four to see the
        place, and was so much delighted with it, that he agreed with Mr. Morris immediately; that he is to take
        possession before Michaelmas, and some of his servants are to be in the house by the end of next week." "What
        is his name?" "Bingley." "Is he married or single?" "Oh! Single, my dear, to be sure! A single man of large
        fortune; four or five thousand a year. What a fine thing for our girls!" "How so? How can it affect them?" "My
        dear Mr. Bennet," replied his wife, "how can you be so tiresome! You must know that I am thinking of his
        marrying one of them." "Is that his design in settling here?" "Design! Nonsense, how can you talk so! But it is
        very likely that he may fall in love with one of them, and therefore you must visit him as soon as he comes."
        """);

    public static IReadOnlyList<Passage> All { get; } = [Gettysburg, PrideAndPrejudice];

    /// <summary>
    /// The passage as page lines of at most <paramref name="width"/> characters, broken between words (no hyphens):
    /// 80 characters of 12-point Helvetica fit the 7.5 inches right of a one-inch margin on US Letter.
    /// </summary>
    public static IReadOnlyList<string> Lines(Passage passage, int width = 80)
    {
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (var word in passage.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }

        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }
}
