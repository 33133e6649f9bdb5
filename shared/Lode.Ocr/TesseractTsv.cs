using System.Globalization;

namespace Lode.Ocr;

/// <summary>
/// Reads Tesseract's TSV output: one row per page, block, paragraph, line and word with its box and confidence.
/// Words (level 5) are grouped into lines by their (page, block, paragraph, line) numbers, in the engine's reading
/// order; a page's confidence is the mean of its words' confidences.
/// </summary>
internal static class TesseractTsv
{
    private const int WordLevel = 5;
    private const int Columns = 12;

    public static IReadOnlyList<OcrPage> Parse(string tsv)
    {
        var pages = new SortedDictionary<int, PageBuilder>();
        foreach (var row in tsv.Split('\n'))
        {
            var cells = row.TrimEnd('\r').Split('\t');
            if (cells.Length < Columns || !int.TryParse(cells[0], CultureInfo.InvariantCulture, out var level)) continue; // header, blank
            var page = Int(cells[1]);
            if (!pages.TryGetValue(page, out var builder)) pages[page] = builder = new PageBuilder(page);
            if (level != WordLevel) continue;
            var text = string.Join('\t', cells[11..]).Trim();
            if (text.Length == 0) continue;
            var confidence = double.Parse(cells[10], NumberStyles.Float, CultureInfo.InvariantCulture);
            builder.Add((Int(cells[2]), Int(cells[3]), Int(cells[4])), text, Math.Clamp(confidence, 0, 100), Int(cells[7]), Int(cells[9]));
        }

        return pages.Values.Select(p => p.Build()).ToList();
    }

    private static int Int(string cell) => int.Parse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private sealed class PageBuilder(int number)
    {
        private readonly List<OcrLine> _lines = [];
        private readonly List<string> _words = [];
        private (int Block, int Paragraph, int Line)? _current;
        private (int Block, int Paragraph)? _lastParagraph;
        private int _top = int.MaxValue, _height;
        private double _confidenceSum;
        private int _wordCount;

        public void Add((int Block, int Paragraph, int Line) place, string word, double confidence, int top, int height)
        {
            if (_current != place) EndLine();
            _current = place;
            _words.Add(word);
            _top = Math.Min(_top, top);
            _height = Math.Max(_height, height);
            _confidenceSum += confidence;
            _wordCount++;
        }

        public OcrPage Build()
        {
            EndLine();
            return new OcrPage(number, _lines, _wordCount == 0 ? null : _confidenceSum / _wordCount);
        }

        private void EndLine()
        {
            if (_words.Count == 0 || _current is not { } place) return;
            var paragraph = (place.Block, place.Paragraph);
            _lines.Add(new OcrLine(string.Join(' ', _words), _words.Count, _height, _top, _lastParagraph != paragraph));
            _lastParagraph = paragraph;
            _words.Clear();
            _top = int.MaxValue;
            _height = 0;
        }
    }
}
