using System.ComponentModel.DataAnnotations;

namespace Lode.Access;

/// <summary>
/// Configuration section <c>Access</c>: which groups may read a document. A document's groups are the union of its
/// object metadata (<see cref="MetadataKey"/>) and every matching <see cref="PrefixRules"/> entry; a document that has
/// neither the metadata nor a matching rule gets <see cref="DefaultGroups"/>, which ships empty: nobody may read it
/// (deny by default). Metadata or a rule that names no valid group decides "nobody" (the defaults do not fill in).
/// </summary>
public sealed class DocumentAccessOptions
{
    public const string SectionName = "Access";

    /// <summary>
    /// User-metadata name holding comma-separated groups, without the <c>x-amz-meta-</c> prefix S3 adds: upload with
    /// <c>x-amz-meta-lode-groups: hr,finance</c> (or <c>mc cp --attr "lode-groups=hr,finance"</c>).
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string MetadataKey { get; set; } = "lode-groups";

    /// <summary>Groups granted by where the object is: <c>Access:PrefixRules:0:Bucket</c>, <c>:Prefix</c>, <c>:Groups:0..n</c>.</summary>
    public List<PrefixRule> PrefixRules { get; set; } = [];

    /// <summary>Groups of a document without the metadata and outside every prefix rule. Empty (the default): deny.</summary>
    public List<string> DefaultGroups { get; set; } = [];
}

/// <summary>
/// Documents in <see cref="Bucket"/> (every bucket when empty) whose key starts with <see cref="Prefix"/> (compared
/// case-sensitively, as S3 keys are; empty: every key) are readable by <see cref="Groups"/>.
/// </summary>
public sealed class PrefixRule
{
    public string? Bucket { get; set; }

    public string Prefix { get; set; } = "";

    public List<string> Groups { get; set; } = [];
}
