using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lode.Embeddings;
using Lode.Ingestion.Extraction;

namespace Lode.Ingestion.Chunking;

/// <summary>
/// Cuts a document's pages into chunks that fit the embedding model's window, counted with the model's own tokenizer.
/// Cuts fall between paragraphs, then sentences; a sentence too long for a chunk is cut between lines, then words, and
/// a single giant "word" between characters (never inside a surrogate pair or before a combining mark), so no text is
/// lost and no chunk exceeds <see cref="MaxChunkTokens"/>. Each chunk after the first starts with the last
/// ~<see cref="ChunkingOptions.OverlapTokens"/> of the one before. A chunk that is nearly full ends at a page break
/// rather than spilling a few sentences onto the next page (keeping page citations tight); such a cut carries no
/// overlap unless the page ended mid-sentence. Deterministic: equal input gives byte-identical chunks.
/// </summary>
public sealed class TokenAwareChunker
{
    // A chunk at least this full prefers to end at a page break.
    private const double PageCutFill = 0.75;

    private const string ParagraphSeparator = "\n\n";

    // Chunks are bounded in characters too, at this many per token of the window: text the tokenizer reads as nothing
    // (combining marks alone, say) would otherwise make chunks of any length and zero tokens. Real text averages 3–5
    // characters a token; CJK about one.
    private const int CharsPerToken = 16;

    private readonly ITokenCounter _counter;
    private readonly int _max;
    private readonly int _overlap;
    private readonly int _min;
    private readonly int _contextCap;
    private readonly int _maxChars;
    private readonly int _pieceChars;
    private readonly ChunkContext _context;

    /// <summary>
    /// Creates a chunker counting with <paramref name="counter"/> (defaults when <paramref name="options"/> is null);
    /// the options are validated where they are bound (<see cref="ChunkingServiceCollectionExtensions"/>).
    /// </summary>
    public TokenAwareChunker(ITokenCounter counter, ChunkingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(counter);
        var settings = options ?? new ChunkingOptions();

        _counter = counter;
        _max = Math.Min(settings.MaxTokens, counter.MaxTokens - 2);
        if (_max < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(counter), counter.MaxTokens, "The token counter's window is too small to chunk for.");
        }

        _overlap = Math.Min(settings.OverlapTokens, _max / 2);
        _min = Math.Min(settings.MinTokens, _max / 2);
        _contextCap = Math.Min(settings.MaxContextTokens, _max / 4);
        _context = new ChunkContext(counter, _contextCap);
        _maxChars = CharsPerToken * _max;
        _pieceChars = _maxChars / 2;
    }

    /// <summary>The most tokens (excluding [CLS]/[SEP]) any chunk holds.</summary>
    public int MaxChunkTokens => _max;

    /// <summary>Chunks of the document in reading order, numbered from 0. A document without text gives none.</summary>
    public IReadOnlyList<TextChunk> Chunk(ExtractedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var sections = SectionsOf(document);
        var units = Segment(document, sections, cancellationToken);
        if (units.Count == 0)
        {
            return [];
        }

        var drafts = Pack(units, cancellationToken);
        BalanceTail(drafts);
        return Finish(drafts, sections, cancellationToken);
    }

    /// <summary>
    /// The document's sections with their context line, numbered as <see cref="Origin.Section"/> counts them: 0 is
    /// the text before the first heading (its context is the title alone), n the n-th section start.
    /// </summary>
    private List<Section> SectionsOf(ExtractedDocument document)
    {
        var sections = new List<Section>(document.Sections.Count + 1);
        var contexts = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        foreach (var path in document.Sections.Select(s => s.HeadingPath).Prepend([]))
        {
            // Sections often repeat a path (a heading per page of a long chapter); count each context once.
            var key = string.Join('\0', path);
            if (!contexts.TryGetValue(key, out var context)) contexts[key] = context = _context.For(document.Title, path);
            sections.Add(new Section(path, context.Item1, context.Item2));
        }

        return sections;
    }

    /// <summary>
    /// Pages → paragraphs → sentences, each with its token count (counted once, on its own). A sentence longer than a
    /// chunk's room beside the overlap becomes lines, words or character runs that fit.
    /// </summary>
    private List<Piece> Segment(ExtractedDocument document, List<Section> sections, CancellationToken cancellationToken)
    {
        var units = new List<Piece>();
        var room = _max - _overlap - _contextCap;
        var starts = document.Sections;
        var section = 0; // sections started so far
        foreach (var page in document.Pages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(page.Text))
            {
                continue;
            }

            // Extractors end lines with '\n' only. Other callers may not; their carriage returns go, unless a section
            // starts on the page, whose offset counts them.
            var text = page.Text.Contains('\r') && !starts.Any(s => s.Page == page.Number)
                ? page.Text.Replace("\r\n", "\n").Replace('\r', '\n')
                : page.Text;
            foreach (var (paragraphStart, paragraphLength) in TextSegmenter.Paragraphs(text))
            {
                foreach (var (start, length, newlineBefore) in TextSegmenter.Sentences(text, paragraphStart, paragraphLength))
                {
                    while (section < starts.Count && IsAtOrBefore(starts[section], page.Number, start)) section++;
                    var origin = new Origin(page.Number, section, page.IsNavigation, sections[section].ContextTokens);
                    var separator = start == paragraphStart ? ParagraphSeparator : newlineBefore ? "\n" : " ";
                    var sentence = text.Substring(start, length);
                    var tokens = _counter.CountTokens(sentence);
                    if (tokens <= room && sentence.Length <= _pieceChars)
                    {
                        units.Add(new Piece(sentence, Math.Max(1, tokens), origin, separator, TextSegmenter.EndsSentence(sentence)));
                    }
                    else
                    {
                        SplitOversized(text, start, length, origin, separator, room, units);
                    }
                }
            }
        }

        return units;
    }

    // A section that starts inside a sentence (a heading found mid-line) takes that sentence.
    private static bool IsAtOrBefore(SectionStart start, int page, int offset) =>
        start.Page < page || (start.Page == page && start.Offset <= offset);

    /// <summary>Lines, then words, then character runs of an oversized range, each at most <paramref name="room"/> tokens.</summary>
    private void SplitOversized(string text, int start, int length, Origin origin, string separator, int room, List<Piece> output)
    {
        var lines = TextSegmenter.Lines(text, start, length);
        if (lines.Count > 1)
        {
            foreach (var (lineStart, lineLength) in lines)
            {
                var lineSeparator = lineStart == lines[0].Start ? separator : "\n";
                var line = text.Substring(lineStart, lineLength);
                var tokens = _counter.CountTokens(line);
                if (tokens <= room && line.Length <= _pieceChars)
                {
                    output.Add(new Piece(line, Math.Max(1, tokens), origin, lineSeparator, TextSegmenter.EndsSentence(line)));
                }
                else
                {
                    SplitIntoWords(text, lineStart, lineLength, origin, lineSeparator, room, output);
                }
            }

            return;
        }

        SplitIntoWords(text, start, length, origin, separator, room, output);
    }

    private void SplitIntoWords(string text, int start, int length, Origin origin, string separator, int room, List<Piece> output)
    {
        var words = TextSegmenter.Words(text, start, length);
        for (var w = 0; w < words.Count; w++)
        {
            var (wordStart, wordLength) = words[w];
            var wordSeparator = w == 0 ? separator : " ";
            var word = text.Substring(wordStart, wordLength);
            var tokens = _counter.CountTokens(word);
            if (tokens <= room && word.Length <= _pieceChars)
            {
                output.Add(new Piece(word, Math.Max(1, tokens), origin, wordSeparator, TextSegmenter.EndsSentence(word)));
            }
            else
            {
                SplitWord(word, origin, wordSeparator, room, output);
            }
        }
    }

    /// <summary>
    /// Cuts one giant word into runs of whole text elements (grapheme clusters) of at most <paramref name="room"/> tokens,
    /// each as long as a doubling-then-bisecting search can make it. The runs are joined back without a separator.
    /// </summary>
    private void SplitWord(string word, Origin origin, string separator, int room, List<Piece> output)
    {
        var starts = StringInfo.ParseCombiningCharacters(word);
        var elements = starts.Length;
        int CharIndex(int element) => element >= elements ? word.Length : starts[element];
        // A run longer than a piece may be in characters does not fit, whatever its tokens.
        int Count(int from, int to) =>
            CharIndex(to) - CharIndex(from) > _pieceChars ? int.MaxValue : _counter.CountTokens(word[CharIndex(from)..CharIndex(to)]);

        var first = 0;
        while (first < elements)
        {
            // Grow the run exponentially while it fits, then bisect between the last fit and the first misfit.
            var good = first + 1;
            var goodTokens = Count(first, good);
            var probe = Math.Min(elements, first + Math.Max(2, room));
            int? bad = null;
            while (true)
            {
                var tokens = Count(first, probe);
                if (tokens <= room)
                {
                    good = probe;
                    goodTokens = tokens;
                    if (probe == elements)
                    {
                        break;
                    }

                    probe = Math.Min(elements, first + (probe - first) * 2);
                }
                else
                {
                    bad = probe;
                    break;
                }
            }

            if (bad is int high)
            {
                var low = good;
                while (high - low > 1)
                {
                    var middle = low + (high - low) / 2;
                    var tokens = Count(first, middle);
                    if (tokens <= room)
                    {
                        low = middle;
                        goodTokens = tokens;
                    }
                    else
                    {
                        high = middle;
                    }
                }

                good = low; // goodTokens already belongs to low (or to the forced single element)
            }

            var run = word[CharIndex(first)..CharIndex(good)];
            output.Add(new Piece(run, Math.Clamp(goodTokens, 1, room), origin, first == 0 ? separator : string.Empty, good == elements && TextSegmenter.EndsSentence(run)));
            first = good;
        }
    }

    /// <summary>
    /// Greedy packing of units into drafts, using the summed unit counts (verified in <see cref="Finish"/>). Navigation
    /// pages and content never share a chunk; a section starts a new chunk once the one before has
    /// <see cref="ChunkingOptions.MinTokens"/> of its own, and without overlap, so a chunk stays within its section.
    /// </summary>
    private List<Draft> Pack(List<Piece> units, CancellationToken cancellationToken)
    {
        var drafts = new List<Draft>();
        var current = new Draft(carriesOverlap: false);
        for (var i = 0; i < units.Count; i++)
        {
            if (i % 1_000 == 0) cancellationToken.ThrowIfCancellationRequested();
            var unit = units[i];
            if (current.Pieces.Count == 0)
            {
                current.Add(unit);
                continue;
            }

            var navigationCut = unit.Origin.Navigation != current.Last.Origin.Navigation;
            var sectionCut = unit.Origin.Section != current.Last.Origin.Section && current.FreshTokens >= _min;
            var pageCut = unit.Page != current.Last.Page && current.Tokens >= PageCutFill * _max;
            var cut = navigationCut || sectionCut || pageCut;
            if (!cut && current.Tokens + unit.Tokens <= LimitWith(current, unit) && current.Chars + unit.Text.Length + 2 <= _maxChars)
            {
                current.Add(unit);
                continue;
            }

            if (!cut && current.FreshTokens < _min && TextSegmenter.ContainsWhiteSpace(unit.Text))
            {
                // A heading or a stub followed by a long sentence: fill this chunk with the sentence's first words
                // instead of leaving the stub alone. Words never split again, so this terminates.
                units.RemoveAt(i);
                units.InsertRange(i, WordsOf(unit));
                i--;
                continue;
            }

            drafts.Add(current);
            var carry = !navigationCut && !sectionCut && !(pageCut && current.Last.EndsSentence);
            current = new Draft(carry);
            if (carry)
            {
                current.AddOverlap(OverlapAfter(drafts[^1].Pieces));
                current.TrimOverlapToFit(unit.Tokens, LimitWith(current, unit));
            }

            current.Add(unit);
        }

        drafts.Add(current);
        return drafts;
    }

    /// <summary>Most text tokens a chunk may hold: the window less the longest context line among its pieces' sections.</summary>
    private int LimitOf(Draft draft) => _max - draft.ContextTokens;

    /// <summary>As <see cref="LimitOf"/>, with <paramref name="unit"/> added.</summary>
    private int LimitWith(Draft draft, Piece unit) => _max - Math.Max(draft.ContextTokens, unit.Origin.ContextTokens);

    /// <summary>
    /// A last chunk with fewer than MinTokens new tokens joins the chunk before when both fit in one; otherwise whole
    /// units move from the end of that chunk into it until both carry at least MinTokens.
    /// </summary>
    private void BalanceTail(List<Draft> drafts)
    {
        if (drafts.Count < 2 || drafts[^1].FreshTokens >= _min || drafts[^1].Last.Origin.Navigation != drafts[^2].Last.Origin.Navigation)
        {
            return;
        }

        var previous = drafts[^2];
        var last = drafts[^1];
        var lastFresh = last.Fresh.ToList();
        var max = _max - Math.Max(previous.ContextTokens, last.ContextTokens);
        if (previous.Tokens + last.FreshTokens <= max && previous.Chars + last.Chars <= _maxChars)
        {
            foreach (var piece in lastFresh)
            {
                previous.Add(piece);
            }

            drafts.RemoveAt(drafts.Count - 1);
            return;
        }

        var previousOverlap = previous.Pieces.Take(previous.FreshStart).ToList();
        var previousFresh = previous.Fresh.ToList();
        for (var moved = 1; moved < previousFresh.Count; moved++)
        {
            var keep = previousFresh.Take(previousFresh.Count - moved).ToList();
            var move = previousFresh.Skip(previousFresh.Count - moved).Concat(lastFresh).ToList();
            var keepTokens = keep.Sum(p => p.Tokens);
            var moveTokens = move.Sum(p => p.Tokens);
            if (keepTokens < _min || moveTokens > max)
            {
                return;
            }

            if (moveTokens < _min)
            {
                continue;
            }

            var newPrevious = new Draft(previous.CarriesOverlap);
            newPrevious.AddOverlap(previousOverlap);
            keep.ForEach(newPrevious.Add);

            var newLast = new Draft(last.CarriesOverlap);
            if (last.CarriesOverlap)
            {
                newLast.AddOverlap(OverlapAfter(newPrevious.Pieces));
                newLast.TrimOverlapToFit(moveTokens, max);
            }

            move.ForEach(newLast.Add);
            drafts[^2] = newPrevious;
            drafts[^1] = newLast;
            return;
        }
    }

    /// <summary>
    /// Joins each draft, counts it once for real and, should the sum of its parts have underestimated (pieces of one
    /// word joined without a space can tokenize differently), sheds overlap, then moves trailing pieces on.
    /// </summary>
    private List<TextChunk> Finish(List<Draft> drafts, List<Section> sections, CancellationToken cancellationToken)
    {
        var chunks = new List<TextChunk>(drafts.Count);
        for (var d = 0; d < drafts.Count; d++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var draft = drafts[d];
            var text = draft.Join();
            var tokens = _counter.CountTokens(text);
            while (tokens > LimitOf(draft) || text.Length > _maxChars)
            {
                if (draft.FreshStart > 0)
                {
                    draft.RemoveFirstOverlap();
                }
                else if (draft.Pieces.Count > 1)
                {
                    var spill = draft.RemoveLast();
                    if (d + 1 == drafts.Count)
                    {
                        drafts.Add(new Draft(carriesOverlap: true));
                    }

                    var next = drafts[d + 1];
                    var nextFresh = next.Fresh.ToList();
                    var rebuilt = new Draft(next.CarriesOverlap);
                    rebuilt.Add(spill);
                    nextFresh.ForEach(rebuilt.Add);
                    drafts[d + 1] = rebuilt; // its overlap is dropped: the spilled piece now leads it
                }
                else
                {
                    throw new InvalidOperationException(
                        $"A single piece of {tokens} tokens exceeds the chunk limit of {LimitOf(draft)} (or {_maxChars} characters); the token counter is inconsistent.");
                }

                text = draft.Join();
                tokens = _counter.CountTokens(text);
            }

            var pageStart = draft.Pieces.Min(p => p.Page);
            var pageEnd = draft.Pieces.Max(p => p.Page);
            var section = sections[MainSection(draft)];
            chunks.Add(new TextChunk(chunks.Count, pageStart, pageEnd, text, tokens, section.HeadingPath, section.Context,
                draft.Last.Origin.Navigation));
        }

        return chunks;
    }

    /// <summary>The section most of a chunk's own text belongs to (the first of equals): the chunk's heading path.</summary>
    private static int MainSection(Draft draft) =>
        draft.Fresh.DefaultIfEmpty(draft.Last)
            .GroupBy(p => p.Origin.Section)
            .Select(g => (Section: g.Key, Tokens: g.Sum(p => p.Tokens)))
            .OrderByDescending(g => g.Tokens).ThenBy(g => g.Section)
            .First().Section;

    /// <summary>A section as chunks carry it: its heading path and the context line written before their text.</summary>
    private sealed record Section(IReadOnlyList<string> HeadingPath, string Context, int ContextTokens);

    /// <summary>
    /// The tail of a chunk that starts the next one: the last whole units summing to at most OverlapTokens, or, when the
    /// last unit alone is longer, its last words within that budget.
    /// </summary>
    private List<Piece> OverlapAfter(IReadOnlyList<Piece> pieces)
    {
        var result = new List<Piece>();
        if (_overlap == 0)
        {
            return result;
        }

        var sum = 0;
        for (var i = pieces.Count - 1; i >= 0 && sum + pieces[i].Tokens <= _overlap; i--)
        {
            sum += pieces[i].Tokens;
            result.Add(pieces[i]);
        }

        if (result.Count > 0)
        {
            result.Reverse();
            return result;
        }

        var last = pieces[^1];
        var words = TextSegmenter.Words(last.Text, 0, last.Text.Length);
        var first = words.Count;
        for (var w = words.Count - 1; w > 0; w--)
        {
            var tokens = _counter.CountTokens(last.Text.Substring(words[w].Start, words[w].Length));
            if (sum + tokens > _overlap)
            {
                break;
            }

            sum += tokens;
            first = w;
        }

        if (first < words.Count)
        {
            result.Add(last with { Text = last.Text[words[first].Start..], Tokens = sum });
        }

        return result;
    }

    /// <summary>The words of a unit as separate units (a word too long for a chunk in character runs).</summary>
    private List<Piece> WordsOf(Piece unit)
    {
        var pieces = new List<Piece>();
        SplitIntoWords(unit.Text, 0, unit.Text.Length, unit.Origin, unit.Separator, _max - _overlap - _contextCap, pieces);
        if (pieces.Count > 0 && unit.EndsSentence)
        {
            pieces[^1] = pieces[^1] with { EndsSentence = true };
        }

        return pieces;
    }

    /// <summary>A run of text with its own token count, where it came from, and what joins it to the run before.</summary>
    private sealed record Piece(string Text, int Tokens, Origin Origin, string Separator, bool EndsSentence)
    {
        public int Page => Origin.Page;
    }

    /// <summary>
    /// The page a piece is on, the section it belongs to (an index into the chunker's section list) and that section's
    /// context tokens, and whether the page is navigation.
    /// </summary>
    private readonly record struct Origin(int Page, int Section, bool Navigation, int ContextTokens);

    /// <summary>A chunk being built: overlap pieces from the previous chunk, then its own (fresh) pieces.</summary>
    private sealed class Draft(bool carriesOverlap)
    {
        private readonly List<Piece> _pieces = [];

        public bool CarriesOverlap { get; } = carriesOverlap;

        public IReadOnlyList<Piece> Pieces => _pieces;

        public int FreshStart { get; private set; }

        public int Tokens { get; private set; }

        public int FreshTokens { get; private set; }

        /// <summary>Characters of the pieces with their separators (as <see cref="Join"/> would give).</summary>
        public int Chars { get; private set; }

        /// <summary>The longest context line among the pieces' sections, kept as pieces come and go.</summary>
        public int ContextTokens { get; private set; }

        public Piece Last => _pieces[^1];

        public IEnumerable<Piece> Fresh => _pieces.Skip(FreshStart);

        public void AddOverlap(IEnumerable<Piece> overlap)
        {
            foreach (var piece in overlap)
            {
                _pieces.Insert(FreshStart++, piece);
                Tokens += piece.Tokens;
                Counted(piece);
            }
        }

        public void TrimOverlapToFit(int incomingTokens, int max)
        {
            while (FreshStart > 0 && Tokens + incomingTokens > max)
            {
                RemoveFirstOverlap();
            }
        }

        public void RemoveFirstOverlap()
        {
            var piece = _pieces[0];
            Tokens -= piece.Tokens;
            _pieces.RemoveAt(0);
            FreshStart--;
            Uncounted(piece);
        }

        public void Add(Piece piece)
        {
            _pieces.Add(piece);
            Tokens += piece.Tokens;
            FreshTokens += piece.Tokens;
            Counted(piece);
        }

        public Piece RemoveLast()
        {
            var piece = _pieces[^1];
            _pieces.RemoveAt(_pieces.Count - 1);
            Tokens -= piece.Tokens;
            FreshTokens -= piece.Tokens;
            Uncounted(piece);
            return piece;
        }

        public string Join()
        {
            var builder = new StringBuilder(_pieces[0].Text);
            for (var i = 1; i < _pieces.Count; i++)
            {
                builder.Append(_pieces[i].Separator).Append(_pieces[i].Text);
            }

            return builder.ToString();
        }

        // Separators count whole (at most two characters): an upper bound of the joined length is all the cap needs.
        private void Counted(Piece piece)
        {
            Chars += piece.Text.Length + piece.Separator.Length;
            ContextTokens = Math.Max(ContextTokens, piece.Origin.ContextTokens);
        }

        private void Uncounted(Piece piece)
        {
            Chars -= piece.Text.Length + piece.Separator.Length;
            // Rare (overlap trimmed, a piece moved on): a full look is cheap enough here.
            if (piece.Origin.ContextTokens == ContextTokens)
                ContextTokens = _pieces.Count == 0 ? 0 : _pieces.Max(p => p.Origin.ContextTokens);
        }
    }
}
