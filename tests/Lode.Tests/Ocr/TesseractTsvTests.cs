using Lode.Ocr;

namespace Lode.Tests.Ocr;

public sealed class TesseractTsvTests
{
    [Fact]
    public void Groups_words_into_lines_and_paragraphs_and_averages_word_confidence()
    {
        const string tsv = """
            level	page_num	block_num	par_num	line_num	word_num	left	top	width	height	conf	text
            1	1	0	0	0	0	0	0	1700	2200	-1	
            5	1	1	1	1	1	10	100	50	20	90	Fire
            5	1	1	1	1	2	70	102	50	24	80	drill
            5	1	1	1	2	1	10	140	50	20	70	today
            5	1	1	2	1	1	10	200	50	20	60	Gate
            5	1	1	2	1	2	70	200	50	20	-1	 
            1	2	0	0	0	0	0	0	1700	2200	-1	
            """;

        var pages = TesseractTsv.Parse(tsv);

        Assert.Equal([1, 2], pages.Select(p => p.Number));
        Assert.Equal(["Fire drill", "today", "Gate"], pages[0].Lines.Select(l => l.Text));
        Assert.Equal([true, false, true], pages[0].Lines.Select(l => l.StartsParagraph));
        Assert.Equal((24, 100), (pages[0].Lines[0].HeightPixels, pages[0].Lines[0].TopPixels));
        Assert.Equal(75, pages[0].MeanConfidence);
        Assert.Null(pages[1].MeanConfidence);
        Assert.Empty(pages[1].Lines);
    }
}
