namespace Lode.Ingestion.Links;

/// <summary>An upload request Lode will not sign; <see cref="Code"/> is the API's error code (HTTP maps it to a status).</summary>
public sealed class UploadRefusedException(string code, string message) : Exception(message)
{
    public const string NotAllowed = "upload_not_allowed";
    public const string InvalidKey = "invalid_key";
    public const string UnsupportedFormat = "unsupported_format";
    public const string TooLarge = "too_large";
    public const string InvalidGroups = "invalid_groups";
    public const string ObjectExists = "object_exists";
    public const string NotConfigured = "uploads_not_configured";

    public string Code { get; } = code;
}
