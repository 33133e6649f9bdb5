namespace Lode.Functions;

/// <summary>Who may call an HTTP function; declared with <see cref="CallerAccessAttribute"/>.</summary>
public enum AllowedCallers
{
    /// <summary>Anyone: the function holds no data (health, the web page), or checks its own token (metrics).</summary>
    Anyone,

    /// <summary>A caller with an API key or identity-provider token, within its rate limits; arrives as a <c>Caller</c> parameter.</summary>
    Caller,

    /// <summary>As <see cref="Caller"/>, and in the admin group (403 otherwise).</summary>
    Admin,

    /// <summary>The object store's webhook: <c>Authorization: Bearer</c> with <c>Webhook:Token</c>.</summary>
    WebhookToken,

    /// <summary>
    /// Microsoft Teams: the HMAC of the body with the webhook's security token, checked (with the replay window) by
    /// the Teams handler, since it signs the exact bytes the function receives.
    /// </summary>
    TeamsSignature,
}

/// <summary>
/// Declares who may call an HTTP function. Every HTTP function declares it: the app refuses to start otherwise, so no
/// function is public by omission. The invocation pipeline authenticates and rate-limits before the function runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CallerAccessAttribute(AllowedCallers access) : Attribute
{
    public AllowedCallers Access { get; } = access;
}

/// <summary>The largest request body the function reads, in bytes (413 beyond it); required with a <see cref="BodyAttribute"/> parameter.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class MaxBodyAttribute(long bytes) : Attribute
{
    public long Bytes { get; } = bytes;
}

/// <summary>
/// The parameter receives the request body, read by the pipeline within <see cref="MaxBodyAttribute"/>: a record
/// parsed from JSON (400 <c>invalid_json</c> otherwise), or the raw bytes as <c>ReadOnlyMemory&lt;byte&gt;</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class BodyAttribute : Attribute;
