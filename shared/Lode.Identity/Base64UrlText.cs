using System.Buffers;

namespace Lode.Identity;

/// <summary>Strict base64url text: its alphabet only, no padding or whitespace (which general decoders let through).</summary>
internal static class Base64UrlText
{
    private static readonly SearchValues<char> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static bool IsStrict(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(Alphabet);
}
