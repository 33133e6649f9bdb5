using Lode.Identity;

namespace Lode.Tests.Support;

/// <summary>
/// The group test documents are readable by and test callers belong to, unless a test is about access control. The
/// test apps grant it to every document by default (<c>Access:DefaultGroups</c>), so tests about something else
/// see everything they index.
/// </summary>
public static class TestReaders
{
    public const string Group = "staff";
    public static readonly string[] Staff = [Group];

    /// <summary>Command-line configuration of an API key: its hash and groups (the key itself is never configured).</summary>
    public static string[] ApiKeyArgs(string name, string key, params string[] groups) =>
    [
        $"--Security:ApiKeys:{name}:Sha256={ApiKeyHash.HexOf(key)}",
        .. groups.Select((g, i) => $"--Security:ApiKeys:{name}:Groups:{i}={g}"),
    ];
}
