using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Lode.Access;

/// <summary>
/// Decides which groups may read an object, from its user metadata and the configured prefix rules (see
/// <see cref="DocumentAccessOptions"/>). Pure: the same object and configuration always give the same groups, so
/// re-deciding on every ingest is how metadata changes take effect.
/// </summary>
public sealed class DocumentAccessResolver
{
    private readonly DocumentAccessOptions _options;
    private readonly string[] _defaultGroups;

    public DocumentAccessResolver(IOptions<DocumentAccessOptions> options)
    {
        _options = options.Value;
        _defaultGroups = AccessGroups.Normalize(_options.DefaultGroups);
        RulesFingerprint = Fingerprint(_options, _defaultGroups);
    }

    /// <summary>
    /// Identifies the configured rules by what they decide (the metadata name, the rules in any order, the defaults), so
    /// a changed configuration can be noticed and every document's groups decided again.
    /// </summary>
    public string RulesFingerprint { get; }

    /// <param name="userMetadata">The object's user metadata without the <c>x-amz-meta-</c> prefix; names compare case-insensitively, as HTTP headers do.</param>
    public string[] GroupsFor(string bucket, string key, IReadOnlyDictionary<string, string> userMetadata)
    {
        // A document is "decided" as soon as its metadata names groups or a rule covers it, even if what they name
        // comes to nothing (an empty or malformed list): that is read as "nobody", never as "the defaults". Otherwise
        // a blank lode-groups on a confidential file would open it to everyone the defaults name.
        var decided = false;
        var granted = new List<string>();
        foreach (var (name, value) in userMetadata)
        {
            if (!string.Equals(name, _options.MetadataKey, StringComparison.OrdinalIgnoreCase)) continue;
            decided = true;
            granted.AddRange(AccessGroups.Parse(value));
        }
        foreach (var rule in _options.PrefixRules)
        {
            var bucketMatches = string.IsNullOrEmpty(rule.Bucket) || string.Equals(rule.Bucket, bucket, StringComparison.Ordinal);
            if (!bucketMatches || !key.StartsWith(rule.Prefix, StringComparison.Ordinal)) continue;
            decided = true;
            granted.AddRange(rule.Groups);
        }
        return decided ? AccessGroups.Normalize(granted) : _defaultGroups;
    }

    private static string Fingerprint(DocumentAccessOptions options, string[] defaultGroups)
    {
        var rules = options.PrefixRules
            .Select(r => new { Bucket = string.IsNullOrEmpty(r.Bucket) ? null : r.Bucket, r.Prefix, Groups = AccessGroups.Normalize(r.Groups) })
            .OrderBy(r => r.Bucket, StringComparer.Ordinal).ThenBy(r => r.Prefix, StringComparer.Ordinal)
            .ThenBy(r => string.Join('\n', r.Groups), StringComparer.Ordinal);
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new
        {
            MetadataKey = options.MetadataKey.ToLowerInvariant(),
            Rules = rules,
            DefaultGroups = defaultGroups,
        });
        return Convert.ToHexStringLower(SHA256.HashData(canonical));
    }
}
