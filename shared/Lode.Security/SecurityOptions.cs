namespace Lode.Security;

/// <summary>Configuration section <c>Security</c>.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// API keys by name: <c>Security:ApiKeys:&lt;name&gt;=&lt;key&gt;</c> (env: <c>Security__ApiKeys__ops=...</c>). The name
    /// identifies the caller in logs; the key itself is never logged. Keys shorter than 16 characters are refused.
    /// </summary>
    public Dictionary<string, string> ApiKeys { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Configuration section <c>Webhook</c>: the bearer token MinIO's webhook target sends.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhook";

    /// <summary>The token configured as MinIO's <c>MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN</c>. Empty: every event is refused.</summary>
    public string Token { get; set; } = "";
}
