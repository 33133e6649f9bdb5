namespace Lode.Database;

/// <summary>One forward-only schema step. <see cref="Sql"/> receives the embedding dimension the index is built for.</summary>
public sealed record Migration(int Version, string Name, Func<SchemaParameters, string> Sql);

/// <summary>Values a migration may depend on.</summary>
public sealed record SchemaParameters(int EmbeddingDimensions);
