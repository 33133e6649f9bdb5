namespace Lode.Access;

/// <summary>
/// The one normal form of a set of group names, shared by callers and documents so both sides compare alike:
/// trimmed, empty names dropped, distinct and sorted ordinally. Names are case-sensitive: identity providers use
/// ids (GUIDs) or names where "HR" and "hr" may be different groups, and a mismatch denies rather than leaks.
/// </summary>
public static class AccessGroups
{
    public const int MaxGroupLength = 256;

    public static string[] Normalize(IEnumerable<string?> groups) =>
        groups.Select(g => g?.Trim())
            .Where(g => !string.IsNullOrEmpty(g) && g.Length <= MaxGroupLength)
            .Select(g => g!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>Splits a comma-separated list (the form object metadata carries).</summary>
    public static string[] Parse(string? list) => list is null ? [] : Normalize(list.Split(','));
}
