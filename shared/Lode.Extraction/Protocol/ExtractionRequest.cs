using Lode.Ingestion.Extraction;

namespace Lode.Extraction.Protocol;

/// <summary>
/// One document for the child: its declared format (an extension the extractors know, e.g. ".pdf", chosen by the app),
/// the limits to apply, and its bytes. Nothing else crosses: no key, no bucket, no credential.
/// </summary>
public sealed record ExtractionRequest(string Format, ExtractionLimits Limits, ReadOnlyMemory<byte> Content)
{
    public byte[] Serialize()
    {
        using var buffer = new MemoryStream(Content.Length + 64);
        using (var writer = new BinaryWriter(buffer))
        {
            writer.Write(Format);
            writer.Write(Limits.MaxPages);
            writer.Write(Limits.MaxDecompressedBytes);
            writer.Write(Limits.MaxTextChars);
            writer.Write(Content.Length);
            writer.Write(Content.Span);
        }
        return buffer.ToArray();
    }

    public static ExtractionRequest Deserialize(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload, writable: false));
        var format = reader.ReadString();
        var limits = new ExtractionLimits(reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
        var length = reader.ReadInt32();
        var offset = (int)reader.BaseStream.Position;
        if (length < 0 || length != payload.Length - offset)
        {
            throw new InvalidDataException($"The request declares {length} content bytes but carries {payload.Length - offset}.");
        }
        return new ExtractionRequest(format, limits, payload.AsMemory(offset, length));
    }
}
