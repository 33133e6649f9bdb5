using System.Text;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Turns the bytes of a text file into a string. A byte order mark decides the encoding; without one the file is read
/// as UTF-8, today's default, with invalid bytes replaced (U+FFFD) rather than rejected: a stray Latin-1 byte should
/// cost one character, not the whole document.
/// </summary>
internal static class TextDecoder
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private static readonly Encoding Utf16LittleEndian = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: false);
    private static readonly Encoding Utf16BigEndian = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: false);
    private static readonly Encoding Utf32LittleEndian = new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: false);
    private static readonly Encoding Utf32BigEndian = new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: false);

    public static string Decode(Stream content, ExtractionLimits limits)
    {
        // No encoding here yields fewer than one character per three bytes (UTF-8's worst case), so a file longer than
        // 3 × MaxTextChars bytes is too large before a byte of it is read.
        if (content.CanSeek && (content.Length - content.Position - 4) / 3 > limits.MaxTextChars)
        {
            throw TextBudget.TooLarge(limits);
        }

        using var copy = new MemoryStream();
        content.CopyTo(copy);
        var bytes = new ReadOnlySpan<byte>(copy.GetBuffer(), 0, (int)copy.Length);
        var (encoding, bomLength) = Detect(bytes);
        var text = encoding.GetString(bytes[bomLength..]);
        new TextBudget(limits).Charge(text.Length);
        return text;
    }

    private static (Encoding Encoding, int BomLength) Detect(ReadOnlySpan<byte> bytes) => bytes switch
    {
        // UTF-32 LE starts like UTF-16 LE (FF FE), so it is tested first.
        [0xFF, 0xFE, 0x00, 0x00, ..] => (Utf32LittleEndian, 4),
        [0x00, 0x00, 0xFE, 0xFF, ..] => (Utf32BigEndian, 4),
        [0xEF, 0xBB, 0xBF, ..] => (Utf8, 3),
        [0xFF, 0xFE, ..] => (Utf16LittleEndian, 2),
        [0xFE, 0xFF, ..] => (Utf16BigEndian, 2),
        _ => (Utf8, 0),
    };
}
