using System.Buffers.Binary;

namespace Lode.Extraction.Protocol;

/// <summary>
/// The wire format between the app and its sandboxed extractor child (Lode.Extractor), over the child's stdin and
/// stdout. The child announces itself with <see cref="Greeting"/> (magic and version) as soon as it runs; after that
/// every message either way is one frame: a 4-byte little-endian length, then that many bytes. The app sends an
/// <see cref="ExtractionRequest"/>, the child answers with one <see cref="ExtractionResponse"/>, and so on until the app
/// closes stdin. A version change is a new <see cref="Version"/>: the app refuses a child that greets otherwise.
/// </summary>
public static class ExtractionProtocol
{
    public const int Version = 2;

    /// <summary>"LODX" then the version, little-endian.</summary>
    public static ReadOnlySpan<byte> Magic => "LODX"u8;

    public const int GreetingBytes = 8;

    public static byte[] Greeting()
    {
        var greeting = new byte[GreetingBytes];
        Magic.CopyTo(greeting);
        BinaryPrimitives.WriteInt32LittleEndian(greeting.AsSpan(4), Version);
        return greeting;
    }

    /// <summary>True when <paramref name="greeting"/> is this version's greeting.</summary>
    public static bool IsGreeting(ReadOnlySpan<byte> greeting) =>
        greeting.Length == GreetingBytes && greeting[..4].SequenceEqual(Magic)
        && BinaryPrimitives.ReadInt32LittleEndian(greeting[4..]) == Version;

    public static async Task WriteFrameAsync(Stream output, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        await output.WriteAsync(header, cancellationToken);
        await output.WriteAsync(payload, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Reads one frame of at most <paramref name="maxBytes"/>; null at a clean end of stream before a frame began.
    /// A longer frame throws <see cref="FrameTooLargeException"/> before a byte of it is read, so a child cannot make the
    /// app allocate what it likes.
    /// </summary>
    public static async Task<byte[]?> ReadFrameAsync(Stream input, long maxBytes, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        var read = await input.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        if (read == 0) return null;
        if (read < header.Length) throw new EndOfStreamException("The stream ended inside a frame header.");
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0) throw new InvalidDataException($"Negative frame length {length}.");
        if (length > maxBytes) throw new FrameTooLargeException(length, maxBytes);
        var payload = new byte[length];
        await input.ReadExactlyAsync(payload, cancellationToken);
        return payload;
    }
}

/// <summary>A frame announced more bytes than the reader accepts.</summary>
public sealed class FrameTooLargeException(long announced, long limit)
    : Exception($"A frame of {announced} bytes exceeds the limit of {limit} bytes.")
{
    public long Announced { get; } = announced;
    public long Limit { get; } = limit;
}
