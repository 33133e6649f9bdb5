using System.Reflection;
using Assembly = System.Reflection.Assembly;
using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Lode.Tests.Architecture;

/// <summary>
/// The shape of the libraries in shared/, checked on the built assemblies: they never reach up into the function app,
/// they form no cycles, identity knows nothing of document access beyond the group names, and the extractors the
/// sandboxed child runs carry no database, object-store or ONNX Runtime code. Each rule is also shown to catch a
/// violation (on code that does what the rule forbids), so a rule that silently matches nothing cannot pass.
/// </summary>
public sealed class LibraryRulesTests
{
    private static readonly string[] SharedLibraries =
    [
        "Lode.Access", "Lode.Audit", "Lode.Chat", "Lode.Database", "Lode.Egress", "Lode.Embeddings", "Lode.Evaluation",
        "Lode.Extraction", "Lode.Extractor", "Lode.Identity", "Lode.Ingestion", "Lode.Ocr", "Lode.Retrieval",
        "Lode.Storage", "Lode.Teams",
    ];

    private static readonly Assembly Functions = Load("Lode.Functions");
    private static readonly Assembly Tests = typeof(LibraryRulesTests).Assembly;
    private static readonly Assembly[] Shared = SharedLibraries.Select(Load).ToArray();

    // The child must stay free of these: database, object store, model runtime.
    private static readonly Assembly[] Forbidden = [Load("Npgsql"), Load("Minio"), Load("Microsoft.ML.OnnxRuntime")];

    private static readonly ArchUnitNET.Domain.Architecture Code =
        new ArchLoader().LoadAssemblies([.. Shared, Functions, Tests, .. Forbidden]).Build();

    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));

    private static Assembly Library(string name) => Shared[Array.IndexOf(SharedLibraries, name)];

    private static IArchRule MayNotUseTheFunctionApp(IObjectProvider<IType> subjects) =>
        Types().That().Are(subjects).Should().NotDependOnAny(Types().That().ResideInAssembly(Functions));

    private static IArchRule KnowsNothingOfDocumentAccess(IObjectProvider<IType> subjects) =>
        Types().That().Are(subjects).Should().NotDependOnAny(
            Types().That().ResideInAssembly(Library("Lode.Access")).And().AreNot(typeof(Lode.Access.AccessGroups))
                .Or().ResideInAssembly(Library("Lode.Retrieval"))
                .Or().ResideInAssembly(Library("Lode.Ingestion"))
                .Or().ResideInAssembly(Library("Lode.Chat")));

    private static IArchRule CarriesNoDatabaseStoreOrModelRuntime(IObjectProvider<IType> subjects) =>
        Types().That().Are(subjects).Should().NotDependOnAny(Types().That().ResideInAssembly(Forbidden[0], Forbidden[1..]));

    private static IObjectProvider<IType> In(params Assembly[] assemblies) => Types().That().ResideInAssembly(assemblies[0], assemblies[1..]);

    [Fact]
    public void No_shared_library_depends_on_the_function_app()
    {
        MayNotUseTheFunctionApp(In(Shared)).Check(Code);

        Assert.False(MayNotUseTheFunctionApp(In(Tests)).HasNoViolations(Code));
    }

    [Fact]
    public void The_shared_libraries_form_no_cycles()
    {
        // Project references cannot form a cycle, but a cycle between libraries by type use would mean two jobs in one.
        var shared = SharedLibraries.ToHashSet(StringComparer.Ordinal);
        var sharedTypes = Code.Types.Where(t => t.Assembly is not null && shared.Contains(t.Assembly.Name)).ToList();
        // Every library is looked at (a name mismatch would make the check vacuous).
        Assert.Equal(shared.Order(StringComparer.Ordinal), sharedTypes.Select(t => t.Assembly.Name).Distinct().Order(StringComparer.Ordinal));
        Assert.Empty(Cycles(sharedTypes, t => t.Assembly?.Name ?? ""));

        // Two namespaces of this test assembly that use each other are caught.
        const string sample = "Lode.Tests.Architecture.CycleSample";
        Assert.NotEmpty(Cycles(Code.Types.Where(t => t.Namespace.FullName.StartsWith(sample, StringComparison.Ordinal)), t => t.Namespace?.FullName ?? ""));
    }

    /// <summary>The groups (by <paramref name="groupOf"/>) of <paramref name="types"/> that reach themselves through the types' dependencies.</summary>
    private static List<string> Cycles(IEnumerable<IType> types, Func<IType, string> groupOf)
    {
        var members = types.ToList();
        var groups = members.Select(groupOf).ToHashSet(StringComparer.Ordinal);
        var edges = members
            .SelectMany(t => t.Dependencies.Select(d => (From: groupOf(t), To: groupOf(d.Target))))
            .Where(e => e.From != e.To && groups.Contains(e.To))
            .ToLookup(e => e.From, e => e.To);
        return groups.Where(start => Reaches(edges, start, start, [])).ToList();
    }

    private static bool Reaches(ILookup<string, string> edges, string from, string target, HashSet<string> seen) =>
        edges[from].Distinct().Any(next => next == target || (seen.Add(next) && Reaches(edges, next, target, seen)));

    [Fact]
    public void Identity_knows_group_names_but_nothing_else_of_access_retrieval_ingestion_or_chat()
    {
        KnowsNothingOfDocumentAccess(In(Library("Lode.Identity"))).Check(Code);

        // Ingestion decides documents' groups with the access rules, so the same rule refuses it.
        Assert.False(KnowsNothingOfDocumentAccess(In(Library("Lode.Ingestion"))).HasNoViolations(Code));
    }

    [Fact]
    public void The_extractors_and_the_sandboxed_child_carry_no_database_object_store_or_onnx_code()
    {
        CarriesNoDatabaseStoreOrModelRuntime(In(Library("Lode.Extraction"), Library("Lode.Extractor"))).Check(Code);

        Assert.False(CarriesNoDatabaseStoreOrModelRuntime(In(Library("Lode.Database"))).HasNoViolations(Code));
        Assert.False(CarriesNoDatabaseStoreOrModelRuntime(In(Library("Lode.Storage"))).HasNoViolations(Code));
        Assert.False(CarriesNoDatabaseStoreOrModelRuntime(In(Library("Lode.Embeddings"))).HasNoViolations(Code));
    }
}
