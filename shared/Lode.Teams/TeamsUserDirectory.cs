using Lode.Access;

namespace Lode.Teams;

/// <summary>
/// The groups of a Teams user, from configuration (<see cref="TeamsOptions.UserGroups"/>, else
/// <see cref="TeamsOptions.DefaultGroups"/>). A message without an Azure AD object id belongs to nobody Lode can
/// name, so it gets no groups at all. A user mapped to an empty list is mapped to nobody's documents: only users the
/// mapping does not name fall back to the defaults (as with document metadata, a blank list decides, it does not defer).
/// </summary>
public sealed class TeamsUserDirectory(TeamsOptions options)
{
    private readonly Dictionary<string, string[]> _groups = options.UserGroups
        .ToDictionary(user => user.Key, user => AccessGroups.Normalize(user.Value), StringComparer.OrdinalIgnoreCase);

    private readonly string[] _defaultGroups = AccessGroups.Normalize(options.DefaultGroups);

    /// <param name="aadObjectId">Object ids are GUIDs, compared without regard to case.</param>
    public IReadOnlyList<string> GroupsOf(string? aadObjectId)
    {
        if (string.IsNullOrWhiteSpace(aadObjectId)) return [];
        return _groups.TryGetValue(aadObjectId.Trim(), out var groups) ? groups : _defaultGroups;
    }
}
