using System.ComponentModel.DataAnnotations;
using Lode.Storage;

namespace Lode.Tests.Storage;

/// <summary>Store addresses are host[:port]: links signed for anything else would point where no browser can go.</summary>
public sealed class StorageOptionsTests
{
    private static List<ValidationResult> Problems(StorageOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    private static StorageOptions With(string endpoint, string publicEndpoint) =>
        new() { Endpoint = endpoint, PublicEndpoint = publicEndpoint, AccessKey = "k", SecretKey = "s" };

    [Theory]
    [InlineData("127.0.0.1:9000", "")]
    [InlineData("minio:9000", "files.example.internal")]
    [InlineData("minio.minio.svc.cluster.local:9000", "files.example.internal:443")]
    [InlineData("[::1]:9000", "files.example.internal:80")]
    public void Host_and_port_are_accepted(string endpoint, string publicEndpoint) =>
        Assert.Empty(Problems(With(endpoint, publicEndpoint)));

    [Theory]
    [InlineData("https://files.example.internal", "Storage:PublicEndpoint")]
    [InlineData("files.example.internal/minio", "Storage:PublicEndpoint")]
    [InlineData("user@files.example.internal", "Storage:PublicEndpoint")]
    public void A_scheme_path_or_user_is_refused_naming_the_setting(string publicEndpoint, string setting)
    {
        var problem = Assert.Single(Problems(With("minio:9000", publicEndpoint)));
        Assert.StartsWith($"{setting} must be host or host:port", problem.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_public_origin_follows_the_public_address_and_its_tls_setting()
    {
        Assert.Equal("http://minio:9000/", With("minio:9000", "").PublicOrigin.AbsoluteUri);
        var published = With("minio:9000", "files.example.internal");
        published.PublicUseSsl = true;
        Assert.Equal("https://files.example.internal/", published.PublicOrigin.AbsoluteUri);
    }
}
