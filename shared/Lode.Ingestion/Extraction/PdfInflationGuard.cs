using UglyToad.PdfPig;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Bounds what a PDF's compressed streams unpack to before PdfPig inflates them. PdfPig inflates a whole content stream
/// into memory when a page is read, so a few hundred kilobytes of zeros compressed with Flate (a "PDF bomb") would
/// become gigabytes. Every count goes to one budget of <see cref="ExtractionLimits.MaxDecompressedBytes"/>, inflated
/// into counters — never into memory — and the document is refused as soon as it is spent. Three passes:
/// <list type="number">
/// <item>Raw bytes, before PdfPig parses anything: every <c>stream</c> keyword's data is inflated the way PdfPig's
/// FlateFilter does (two header bytes skipped unread, raw deflate after), so a broken zlib header hides nothing. It
/// does not parse dictionaries (a filter can hide behind an indirect reference); data that is not deflate (JPEG,
/// ciphertext) stops after a few bytes.</item>
/// <item>Opening: PdfPig inflates object streams while it opens a file; <see cref="CountingFilterProvider"/> counts
/// each such decode (Flate, LZW, RunLength) first and refuses it once the budget is spent.</item>
/// <item>Structure (<see cref="PdfStreamCounter"/>): what the raw pass cannot see — every stream of an encrypted file,
/// decrypted by PdfPig's own scanner (the raw pass saw ciphertext), every Flate stage of a chain of filters
/// (<c>[/FlateDecode /FlateDecode]</c>: the raw pass counted only the first), and every LZW and RunLength stage, which
/// expand as Flate does (up to ~2,500 and 64 times) and which the raw pass cannot read (<see cref="ExpansionCounter"/>).</item>
/// </list>
/// A stream may be counted by two passes (an object stream, a chain's first stage): the budget errs towards refusing.
/// </summary>
public static class PdfInflationGuard
{
    private static ReadOnlySpan<byte> StreamKeyword => "stream"u8;
    private static ReadOnlySpan<byte> EndPrefix => "end"u8;

    /// <summary>
    /// Opens <paramref name="pdf"/> with PdfPig once all three passes have found its streams within the limit.
    /// PdfPig's errors (encrypted with a real password, damaged) surface as PdfPig throws them.
    /// </summary>
    /// <exception cref="RejectedDocumentException">The streams inflate to more than the limit.</exception>
    public static PdfDocument Open(Stream pdf, ExtractionLimits limits, ParsingOptions options, CancellationToken cancellationToken)
    {
        var budget = new InflationBudget(limits.MaxDecompressedBytes);
        var streamOffsets = CountRawStreams(pdf, budget, cancellationToken);
        var filters = new CountingFilterProvider(budget, cancellationToken);
        options.FilterProvider = filters;
        PdfDocument document;
        try
        {
            document = PdfDocument.Open(pdf, options);
        }
        catch (Exception) when (budget.Exceeded)
        {
            // A refused object stream makes PdfPig fail in its own words; the reason is the bomb.
            throw budget.Refusal();
        }

        try
        {
            if (!budget.Exceeded) PdfStreamCounter.Count(document, budget, everyStream: document.IsEncrypted, streamOffsets, cancellationToken);
            if (budget.Exceeded) throw budget.Refusal();
            filters.StopCounting();
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>The raw-bytes pass alone; the stream's position is restored.</summary>
    /// <exception cref="RejectedDocumentException">The streams inflate to more than the limit.</exception>
    public static void Check(Stream pdf, ExtractionLimits limits, CancellationToken cancellationToken) =>
        CountRawStreams(pdf, new InflationBudget(limits.MaxDecompressedBytes), cancellationToken);

    /// <returns>Where each stream's data begins, ascending.</returns>
    private static List<long> CountRawStreams(Stream pdf, InflationBudget budget, CancellationToken cancellationToken)
    {
        if (!pdf.CanSeek) throw new ArgumentException("The guard needs a seekable stream.", nameof(pdf));
        var start = pdf.Position;
        try
        {
            var offsets = StreamDataOffsets(pdf, start, cancellationToken);
            foreach (var dataStart in offsets)
            {
                cancellationToken.ThrowIfCancellationRequested();
                pdf.Position = dataStart;
                budget.Charge(FlateCounter.InflatedLength(pdf, budget.Remaining, cancellationToken));
                if (budget.Exceeded) throw budget.Refusal();
            }
            return offsets;
        }
        finally
        {
            pdf.Position = start;
        }
    }

    /// <summary>Offsets where stream data begins: after <c>stream</c> (not <c>endstream</c>) and its end-of-line.</summary>
    private static List<long> StreamDataOffsets(Stream pdf, long start, CancellationToken cancellationToken)
    {
        const int lookAhead = 8;  // "stream" + CR LF must be wholly inside the buffer to be judged
        const int lookBehind = 3; // "end" before it
        var offsets = new List<long>();
        var buffer = new byte[1 << 16];
        var carried = 0;          // bytes kept from the previous buffer: its unsearched tail plus the look-behind
        var from = 0;             // first position to search in this buffer
        var bufferStart = start;  // file offset of buffer[0]
        pdf.Position = start;
        int read;
        while ((read = pdf.Read(buffer, carried, buffer.Length - carried)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = carried + read;
            var span = buffer.AsSpan(0, length);
            var searchEnd = Math.Max(length - lookAhead, from);
            for (var i = from; i < searchEnd; i++)
            {
                // Search to the buffer's end: a keyword starting just before searchEnd extends past it.
                var found = span[i..].IndexOf(StreamKeyword);
                if (found < 0 || i + found >= searchEnd) break;
                i += found;
                var isEnd = i >= lookBehind && span.Slice(i - lookBehind, lookBehind).SequenceEqual(EndPrefix);
                var after = i + StreamKeyword.Length;
                var eol = span[after] == '\n' ? 1 : span[after] == '\r' ? (span[after + 1] == '\n' ? 2 : 1) : 0;
                if (!isEnd && eol > 0) offsets.Add(bufferStart + after + eol);
            }
            // Keep what was not searched, and the look-behind before it, at the front of the next buffer.
            var keepFrom = Math.Max(searchEnd - lookBehind, 0);
            span[keepFrom..].CopyTo(buffer);
            carried = length - keepFrom;
            from = searchEnd - keepFrom;
            bufferStart += keepFrom;
        }
        return offsets;
    }
}
