using System.ComponentModel.DataAnnotations;

namespace Lode.Identity;

/// <summary>Configuration section <c>Security</c>: API keys and the admin group (its egress allowlist is <c>Lode.Egress.EgressOptions</c>).</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// API keys from configuration, by caller name: <c>Security:ApiKeys:&lt;name&gt;:Sha256</c> is the lowercase hex
    /// SHA-256 of the key (the key itself is never configured, stored or logged) and
    /// <c>Security:ApiKeys:&lt;name&gt;:Groups:0..n</c> its groups. Keys created through the admin API live in the
    /// database, hashed the same way.
    /// </summary>
    public Dictionary<string, ConfiguredApiKey> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Members of this group may use the admin endpoints (keys, audit, dead letters).</summary>
    [Required(AllowEmptyStrings = false)]
    public string AdminGroup { get; set; } = "lode-admins";

    /// <summary>
    /// Leave the app's process open to inspection by other processes of its user (<c>/proc/&lt;pid&gt;/environ</c>,
    /// <c>mem</c>, ptrace, core dumps), e.g. for <c>dotnet-dump</c> while debugging. Default false: the app makes
    /// itself non-dumpable at start (<see cref="ProcessInspection"/>), so the extractor child cannot read its secrets.
    /// </summary>
    public bool AllowProcessInspection { get; set; }
}

/// <summary>One API key of <see cref="SecurityOptions.ApiKeys"/>.</summary>
public sealed class ConfiguredApiKey
{
    /// <summary>Lowercase hex SHA-256 of the key's UTF-8 bytes (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string Sha256 { get; set; } = "";

    public List<string> Groups { get; set; } = [];

    /// <summary>After this instant the key is refused. Empty: it does not expire.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>Configuration section <c>Webhook</c>: the bearer token MinIO's webhook target sends.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhook";

    /// <summary>The token configured as MinIO's <c>MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN</c>. Empty: every event is refused.</summary>
    public string Token { get; set; } = "";
}
