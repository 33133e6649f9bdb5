using Lode.Database.Generations;

namespace Lode.Functions.Http;

/// <summary>GET api/admin/generations: every index generation with its progress, oldest first.</summary>
public sealed record GenerationList(IReadOnlyList<GenerationView> Generations);

/// <summary>
/// One index generation as admins see it: <see cref="Done"/> of the <see cref="Documents"/> the current generation
/// holds are in it (at the same version), <see cref="ToDo"/> are not yet; <see cref="Chunks"/> are stored for it.
/// </summary>
public sealed record GenerationView(
    int Id,
    string State,
    string Model,
    int Dimensions,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? CurrentSince,
    long Documents,
    long Done,
    long ToDo,
    long Chunks)
{
    public static GenerationView From(GenerationProgress progress)
    {
        var g = progress.Generation;
        return new(g.Id, g.State, g.Model, g.Dimensions, g.CreatedAt, g.CompletedAt, g.CurrentSince, progress.Documents, progress.Done,
            progress.ToDo, progress.Chunks);
    }
}
