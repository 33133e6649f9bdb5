using System.IO.Compression;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokenization.Scanner;
using UglyToad.PdfPig.Tokens;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Counts what the streams of an opened document unpack to as PdfPig will decode them: each stream's bytes come from
/// PdfPig's own token scanner, which decrypts them when the document is encrypted (PdfPig opens files whose user
/// password is empty without asking), and every Flate stage of a filter chain is counted — the output of the first
/// stage inflated again by the second, and so on, streamed through counters and never held in memory.
/// Reusing PdfPig's decryption rather than deriving the file key here means no crypto of our own, and the guard
/// decrypts exactly what, and only what, PdfPig will.
/// </summary>
internal static class PdfStreamCounter
{
    /// <param name="everyStream">Count every stream; else only those with a chain of filters (the raw byte pass has
    /// already counted the first stage of every stream in a file that is not encrypted).</param>
    /// <param name="streamOffsets">Where the raw pass found stream data, ascending: only the objects holding one are read.</param>
    public static void Count(PdfDocument document, InflationBudget budget, bool everyStream, IReadOnlyList<long> streamOffsets,
        CancellationToken cancellationToken)
    {
        var scanner = document.Structure.TokenScanner;
        // Streams are never stored inside object streams, so the objects at file offsets hold all of them.
        var xref = document.Structure.CrossReferenceTable;
        var located = xref.ObjectOffsets.Where(o => o.Value.Type == XrefEntryType.File).Select(o => o.Key).ToList();
        // Where objects begin, and the cross-reference streams (not always listed as objects), which are never counted.
        var entries = xref.ObjectOffsets.Where(o => o.Value.Type == XrefEntryType.File)
            .Select(o => (Offset: o.Value.Value1, Reference: (IndirectReference?)o.Key))
            .Concat(xref.Parts.Select(p => (Offset: p.Offset, Reference: (IndirectReference?)null)))
            .OrderBy(e => e.Offset).ToList();
        var holding = HoldingStreams(entries.Select(e => e.Offset).ToList(), streamOffsets);
        // Reading every object costs far more than reading the few that hold streams; when the offsets and the
        // objects disagree (a damaged cross-reference table, "stream" inside a string) read them all.
        var chosen = holding is null ? null : entries.Where((e, i) => holding[i] && e.Reference is not null).Select(e => e.Reference!.Value);
        if (chosen is null || !CountStreams(chosen, scanner, budget, everyStream, mustBeStreams: true, cancellationToken))
        {
            CountStreams(located, scanner, budget, everyStream, mustBeStreams: false, cancellationToken);
        }
    }

    /// <summary>For each object (by ascending offset), whether stream data begins between it and the next object;
    /// null when some stream data lies before the first object, which no object then accounts for.</summary>
    private static bool[]? HoldingStreams(List<long> objectOffsets, IReadOnlyList<long> streamOffsets)
    {
        if (objectOffsets.Count == 0 || (streamOffsets.Count > 0 && streamOffsets[0] < objectOffsets[0])) return null;
        var holding = new bool[objectOffsets.Count];
        var next = 0;
        foreach (var offset in streamOffsets)
        {
            while (next + 1 < objectOffsets.Count && objectOffsets[next + 1] < offset) next++;
            holding[next] = true;
        }
        return holding;
    }

    /// <returns>False when <paramref name="mustBeStreams"/> and one of them is not a stream: the choice was wrong.</returns>
    private static bool CountStreams(IEnumerable<IndirectReference> references, IPdfTokenScanner scanner, InflationBudget budget,
        bool everyStream, bool mustBeStreams, CancellationToken cancellationToken)
    {
        foreach (var reference in references)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (StreamAt(scanner, reference) is not { } stream)
            {
                if (mustBeStreams) return false;
                continue;
            }
            var filters = FilterNames(stream.StreamDictionary, scanner);
            // The raw pass inflated every first stage as Flate; LZW and RunLength it cannot see.
            if (everyStream || filters.Count > 1 || filters.Exists(ExpansionCounter.Counts)) CountChain(stream, filters, budget, cancellationToken);
            if (budget.Exceeded) return true;
        }
        return true;
    }

    /// <summary>The stream at <paramref name="reference"/>, decrypted; none when the object is not one or cannot be
    /// read (PdfPig meets the same damage later, if it needs the object at all).</summary>
    private static StreamToken? StreamAt(IPdfTokenScanner scanner, IndirectReference reference)
    {
        try
        {
            return scanner.Get(reference)?.Data as StreamToken;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            return null;
        }
    }

    /// <summary>The filter names in order, as PdfPig's filter provider reads them (/Filter, else /F; indirect or not).</summary>
    private static List<string> FilterNames(DictionaryToken dictionary, IPdfTokenScanner scanner)
    {
        if (!dictionary.TryGet(NameToken.Filter, out var token) && !dictionary.TryGet(NameToken.F, out token)) return [];
        return Resolve(token, scanner) switch
        {
            NameToken name => [name.Data],
            ArrayToken array => array.Data.Select(t => Resolve(t, scanner)).OfType<NameToken>().Select(n => n.Data).ToList(),
            _ => [],
        };
    }

    private static IToken? Resolve(IToken token, IPdfTokenScanner scanner)
    {
        try
        {
            return token is IndirectReferenceToken reference ? scanner.Get(reference.Data)?.Data : token;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            return null;
        }
    }

    /// <summary>
    /// Runs the stream through its chain: each Flate stage inflates the previous stage's output through a counter;
    /// each LZW and RunLength stage has its output's length walked from its codes (<see cref="ExpansionCounter"/>)
    /// and, when a stage follows and the budget holds, is decoded by PdfPig's filter for it; ASCII-hex and ASCII-85
    /// stages (whose output is smaller than their input) are decoded by PdfPig's filters so a stage behind them sees
    /// the bytes it will really get. The chain's count stops at any other filter — the output before it is what
    /// PdfPig hands that filter, and that is counted.
    /// </summary>
    private static void CountChain(StreamToken stream, List<string> filters, InflationBudget budget, CancellationToken cancellationToken)
    {
        Stream current = FlateCounter.AsStream(stream.Data);
        try
        {
            for (var index = 0; index < filters.Count; index++)
            {
                if (filters[index] is "FlateDecode" or "Fl")
                {
                    // The zlib header, whatever it holds: PdfPig discards it unread.
                    if (current.ReadByte() < 0 || current.ReadByte() < 0) return;
                    current = new CountedStream(new DeflateStream(current, CompressionMode.Decompress), budget);
                }
                else if (ExpansionCounter.Counts(filters[index]))
                {
                    var encoded = ReadAll(ref current);
                    if (budget.Exceeded) return;
                    budget.Charge(ExpansionCounter.Length(filters[index], encoded, stream.StreamDictionary, index, budget.Remaining));
                    if (budget.Exceeded || index == filters.Count - 1) return;
                    var filter = ExpansionCounter.Filter(filters[index]);
                    current = FlateCounter.AsStream(filter.Decode(encoded, stream.StreamDictionary, DefaultFilterProvider.Instance, index));
                }
                else if (filters[index] is "ASCIIHexDecode" or "AHx" or "ASCII85Decode" or "A85")
                {
                    var encoded = ReadAll(ref current);
                    var filter = DefaultFilterProvider.Instance.GetNamedFilters([NameToken.Create(filters[index])])[0];
                    current = FlateCounter.AsStream(filter.Decode(encoded, stream.StreamDictionary, DefaultFilterProvider.Instance, index));
                }
                else
                {
                    break;
                }
            }
            FlateCounter.Drain(current, long.MaxValue, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IndexOutOfRangeException or KeyNotFoundException)
        {
            // Damaged data in a middle stage (deflate, or codes PdfPig's LZW or RunLength filter throws on): what the
            // counters saw before it counts; PdfPig meets the same damage when it decodes the stream.
        }
        finally
        {
            current.Dispose();
        }
    }

    /// <summary>The rest of <paramref name="current"/> (counted as it is read, when it is a counter), which is disposed
    /// and replaced by an empty stream.</summary>
    private static byte[] ReadAll(ref Stream current)
    {
        var bytes = new MemoryStream();
        using (var previous = current) previous.CopyTo(bytes);
        current = Stream.Null;
        return bytes.ToArray();
    }

    /// <summary>Charges every byte read through it; reads as ended once the budget is spent.</summary>
    private sealed class CountedStream(Stream inner, InflationBudget budget) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (budget.Exceeded) return 0;
            var read = inner.Read(buffer, offset, (int)Math.Min(count, budget.Remaining));
            budget.Charge(read);
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
