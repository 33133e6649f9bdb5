namespace Lode.Retrieval;

/// <summary>What PostgreSQL can store in a text value (valid UTF-8 without NUL).</summary>
public static class StoredText
{
    /// <summary>Whether PostgreSQL accepts <paramref name="value"/> as text: no NUL, no unpaired surrogate (null is storable).</summary>
    public static bool IsStorable(string? value)
    {
        if (value is null) return true;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0') return false;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return false;
        }
        return true;
    }

    /// <summary>The text with NULs as spaces and unpaired surrogates as U+FFFD, so any query can be sent and stored.</summary>
    public static string Clean(string value)
    {
        if (IsStorable(value)) return value;
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (c == '\0') chars[i] = ' ';
            else if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) i++;
            else if (char.IsSurrogate(c)) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }
}
