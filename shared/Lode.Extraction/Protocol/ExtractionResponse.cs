using Lode.Ingestion.Extraction;

namespace Lode.Extraction.Protocol;

/// <summary>What the child answers for one document: exactly one of the three kinds.</summary>
public abstract record ExtractionResponse
{
    private enum Kind : byte { Extracted = 1, Rejected = 2, Failed = 3 }

    /// <summary>The extractor read the document.</summary>
    public sealed record Extracted(ExtractedDocument Document) : ExtractionResponse;

    /// <summary>The extractor refused the document (<see cref="RejectedDocumentException"/>): it can never be read as it is.</summary>
    public sealed record Rejected(RejectionReason Reason, string Message) : ExtractionResponse;

    /// <summary>The extractor threw something else: a bug or an input it did not foresee, named by exception type.</summary>
    public sealed record Failed(string ExceptionType, string Message) : ExtractionResponse;

    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            switch (this)
            {
                case Extracted extracted:
                    writer.Write((byte)Kind.Extracted);
                    WriteDocument(writer, extracted.Document);
                    break;
                case Rejected rejected:
                    writer.Write((byte)Kind.Rejected);
                    writer.Write((int)rejected.Reason);
                    writer.Write(rejected.Message);
                    break;
                case Failed failed:
                    writer.Write((byte)Kind.Failed);
                    writer.Write(failed.ExceptionType);
                    writer.Write(failed.Message);
                    break;
            }
        }
        return buffer.ToArray();
    }

    public static ExtractionResponse Deserialize(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload, writable: false));
        ExtractionResponse response = (Kind)reader.ReadByte() switch
        {
            Kind.Extracted => new Extracted(ReadDocument(reader)),
            Kind.Rejected => new Rejected(ReadReason(reader), reader.ReadString()),
            Kind.Failed => new Failed(reader.ReadString(), reader.ReadString()),
            var other => throw new InvalidDataException($"Unknown response kind {(byte)other}."),
        };
        if (reader.BaseStream.Position != payload.Length) throw new InvalidDataException("Trailing bytes after the response.");
        return response;
    }

    private static RejectionReason ReadReason(BinaryReader reader)
    {
        var reason = (RejectionReason)reader.ReadInt32();
        return Enum.IsDefined(reason) ? reason : throw new InvalidDataException($"Unknown rejection reason {(int)reason}.");
    }

    private static void WriteDocument(BinaryWriter writer, ExtractedDocument document)
    {
        writer.Write(document.Title is not null);
        if (document.Title is not null) writer.Write(document.Title);
        writer.Write(document.Pages.Count);
        foreach (var page in document.Pages)
        {
            writer.Write(page.Number);
            writer.Write(page.IsNavigation);
            writer.Write(page.Text);
            WriteOcr(writer, page.Ocr);
        }
        writer.Write(document.Sections.Count);
        foreach (var section in document.Sections)
        {
            writer.Write(section.Page);
            writer.Write(section.Offset);
            writer.Write(section.HeadingPath.Count);
            foreach (var heading in section.HeadingPath) writer.Write(heading);
        }
    }

    private static ExtractedDocument ReadDocument(BinaryReader reader)
    {
        var title = reader.ReadBoolean() ? reader.ReadString() : null;
        var pages = new ExtractedPage[Count(reader)];
        for (var p = 0; p < pages.Length; p++)
        {
            var number = reader.ReadInt32();
            var isNavigation = reader.ReadBoolean();
            pages[p] = new ExtractedPage(number, reader.ReadString(), isNavigation) { Ocr = ReadOcr(reader) };
        }
        var sections = new SectionStart[Count(reader)];
        for (var s = 0; s < sections.Length; s++)
        {
            var page = reader.ReadInt32();
            var offset = reader.ReadInt32();
            var path = new string[Count(reader)];
            for (var h = 0; h < path.Length; h++) path[h] = reader.ReadString();
            sections[s] = new SectionStart(page, offset, path);
        }
        return new ExtractedDocument(pages) { Title = title, Sections = sections };
    }

    // A page's OCR facts: absent for a page with a text layer; else its state, mean confidence and reason.
    private static void WriteOcr(BinaryWriter writer, PageOcr? ocr)
    {
        writer.Write(ocr is not null);
        if (ocr is null) return;
        writer.Write((byte)ocr.State);
        writer.Write(ocr.MeanConfidence is not null);
        if (ocr.MeanConfidence is { } confidence) writer.Write(confidence);
        writer.Write(ocr.Reason is not null);
        if (ocr.Reason is not null) writer.Write(ocr.Reason);
    }

    private static PageOcr? ReadOcr(BinaryReader reader)
    {
        if (!reader.ReadBoolean()) return null;
        var state = (PageOcrState)reader.ReadByte();
        if (!Enum.IsDefined(state)) throw new InvalidDataException($"Unknown OCR state {(byte)state}.");
        double? confidence = reader.ReadBoolean() ? reader.ReadDouble() : null;
        var reason = reader.ReadBoolean() ? reader.ReadString() : null;
        return new PageOcr(state, confidence, reason);
    }

    // Every element takes at least one byte, so a count beyond the bytes left is a lie: refuse it before allocating.
    private static int Count(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        var left = reader.BaseStream.Length - reader.BaseStream.Position;
        return count >= 0 && count <= left ? count : throw new InvalidDataException($"Implausible element count {count}.");
    }
}
