using System.ComponentModel.DataAnnotations;

namespace Lode.Database;

/// <summary>Configuration section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>Npgsql connection string. The role needs CREATE on the database; the <c>vector</c> extension must exist
    /// (pgvector is not a trusted extension, so a superuser creates it once).</summary>
    [Required]
    public string ConnectionString { get; set; } = "Host=127.0.0.1;Port=54329;Username=lode;Password=lode;Database=lode";
}
