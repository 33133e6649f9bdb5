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

    /// <summary>
    /// Statements each connection prepares on the server once they have run a few times (Npgsql automatic preparation):
    /// the chat path runs the same handful of statements (key lookup, stemming, search, audit row) on every request, and
    /// parsing and analysing them again each time is CPU the database spends per question. 0 turns it off; a
    /// <c>Max Auto Prepare</c> in <see cref="ConnectionString"/> wins over this. Prepared statements keep planning each
    /// execution with its own parameters (<c>plan_cache_mode=force_custom_plan</c>), so no query gets another plan.
    /// </summary>
    [Range(0, 10_000)]
    public int MaxAutoPrepare { get; set; } = 64;
}
