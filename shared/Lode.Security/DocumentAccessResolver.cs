using Microsoft.Extensions.Options;

namespace Lode.Security;

/// <summary>
/// Decides which groups may read an object, from its user metadata and the configured prefix rules (see
/// <see cref="DocumentAccessOptions"/>). Pure: the same object and configuration always give the same groups, so
/// re-deciding on every ingest is how metadata changes take effect.
/// </summary>
public sealed class DocumentAccessResolver(IOptions<DocumentAccessOptions> options)
{
    private readonly DocumentAccessOptions _options = options.Value;
    private readonly string[] _defaultGroups = AccessGroups.Normalize(options.Value.DefaultGroups);

    /// <param name="userMetadata">The object's user metadata without the <c>x-amz-meta-</c> prefix; names compare case-insensitively, as HTTP headers do.</param>
    public string[] GroupsFor(string bucket, string key, IReadOnlyDictionary<string, string> userMetadata)
    {
        var granted = new List<string>();
        foreach (var (name, value) in userMetadata)
        {
            if (string.Equals(name, _options.MetadataKey, StringComparison.OrdinalIgnoreCase)) granted.AddRange(AccessGroups.Parse(value));
        }
        foreach (var rule in _options.PrefixRules)
        {
            var bucketMatches = string.IsNullOrEmpty(rule.Bucket) || string.Equals(rule.Bucket, bucket, StringComparison.Ordinal);
            if (bucketMatches && key.StartsWith(rule.Prefix, StringComparison.Ordinal)) granted.AddRange(rule.Groups);
        }
        var groups = AccessGroups.Normalize(granted);
        return groups.Length > 0 ? groups : _defaultGroups;
    }
}
