using System.CommandLine;
using Minio;

namespace Lode.Cli;

/// <summary>The object store an upload writes to: the same LODE_S3_* variables as infra/local/up.sh.</summary>
public sealed class ObjectStoreOptions
{
    public const string DefaultEndpoint = "127.0.0.1:9000";

    private readonly Option<string> _endpoint = new("--s3-endpoint")
    {
        Description = $"The object store's host:port (env LODE_S3_ENDPOINT, default {DefaultEndpoint})",
        DefaultValueFactory = _ => GlobalOptions.EnvironmentOr("LODE_S3_ENDPOINT", DefaultEndpoint),
    };

    private readonly Option<string?> _accessKey = new("--s3-access-key")
    {
        Description = "The object store access key (env LODE_S3_ACCESS_KEY)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("LODE_S3_ACCESS_KEY"),
    };

    private readonly Option<string?> _secretKey = new("--s3-secret-key")
    {
        // No DefaultValueFactory: help would print the secret; the variable is read in CreateClient.
        Description = "The object store secret key (env LODE_S3_SECRET_KEY)",
    };

    private readonly Option<bool> _secure = new("--s3-secure")
    {
        Description = "Use HTTPS to the object store (env LODE_S3_SECURE=true)",
        DefaultValueFactory = _ => string.Equals(Environment.GetEnvironmentVariable("LODE_S3_SECURE"), "true", StringComparison.OrdinalIgnoreCase),
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_endpoint);
        command.Options.Add(_accessKey);
        command.Options.Add(_secretKey);
        command.Options.Add(_secure);
    }

    public IMinioClient CreateClient(ParseResult parse)
    {
        var accessKey = parse.GetValue(_accessKey);
        var secretKey = parse.GetValue(_secretKey) ?? Environment.GetEnvironmentVariable("LODE_S3_SECRET_KEY");
        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
            throw new CliFailure("Uploading needs the object store's keys: --s3-access-key and --s3-secret-key (or LODE_S3_ACCESS_KEY, LODE_S3_SECRET_KEY).");
        return new MinioClient().WithEndpoint(parse.GetValue(_endpoint)).WithCredentials(accessKey, secretKey)
            .WithSSL(parse.GetValue(_secure)).Build();
    }
}
