using Npgsql;

namespace Lode.Database;

/// <summary>How the app's connection string is completed before the data source is built.</summary>
public static class DataSourceSettings
{
    // Plans stay what they were without preparation: a generic plan, chosen by PostgreSQL after five executions, would
    // estimate a full-text or vector search without its actual parameters.
    private const string CustomPlansOnly = "-c plan_cache_mode=force_custom_plan";

    /// <summary>
    /// Turns on automatic preparation (<see cref="DatabaseOptions.MaxAutoPrepare"/>) unless the connection string sets it
    /// itself, and keeps prepared statements on custom plans unless the connection string chooses a plan cache mode.
    /// </summary>
    public static void Apply(NpgsqlConnectionStringBuilder connection, DatabaseOptions options)
    {
        if (connection.MaxAutoPrepare == 0) connection.MaxAutoPrepare = options.MaxAutoPrepare;
        if (connection.MaxAutoPrepare == 0) return;
        var serverOptions = connection.Options ?? "";
        if (!serverOptions.Contains("plan_cache_mode", StringComparison.Ordinal))
            connection.Options = serverOptions.Length == 0 ? CustomPlansOnly : serverOptions + " " + CustomPlansOnly;
    }
}
