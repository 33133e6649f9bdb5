using System.Reflection;
using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using Assembly = System.Reflection.Assembly;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using Lode.Functions;
using Lode.Functions.Telemetry;
using Lode.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Lode.Tests.Architecture;

/// <summary>
/// Keeps the function layer's shape (issue 14): functions bind, call one service and map; data access, object storage
/// and model runtimes live in the shared libraries, and a function class that grows past its budget is doing a
/// library's work. Each rule fails when broken: a function taking an <c>NpgsqlDataSource</c> (or calling
/// <c>IMinioClient</c>, <c>InferenceSession</c>, <c>LLamaWeights</c>) depends on a type of a forbidden assembly, and a
/// function file of 61 lines is over the budget; both are reported with the offending type or file.
/// </summary>
public sealed class FunctionLayerRulesTests
{
    /// <summary>Lines a file of function classes may have: a function is ~10–20 lines, with its doc comment and usings.</summary>
    public const int MaxLinesPerFunctionFile = 60;

    private static readonly Assembly FunctionLayer = typeof(LodeApp).Assembly;

    private static readonly Assembly[] Forbidden =
    [
        typeof(Npgsql.NpgsqlDataSource).Assembly,
        // The rule sees dependencies on loaded assemblies only: Npgsql's OpenTelemetry extensions are one (see below).
        typeof(Npgsql.TracerProviderBuilderExtensions).Assembly,
        typeof(Minio.IMinioClient).Assembly,
        typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly,
        typeof(LLama.LLamaWeights).Assembly,
    ];

    private static readonly Assembly[] Services =
    [
        typeof(Lode.Chat.ChatService).Assembly,
        typeof(Lode.Retrieval.HybridRetriever).Assembly,
        typeof(Lode.Audit.AuditedChat).Assembly,
    ];

    private static readonly ArchUnitNET.Domain.Architecture Loaded = new ArchLoader().LoadAssemblies([FunctionLayer, .. Forbidden, .. Services]).Build();

    // By namespace, not assembly: these assemblies also carry polyfills of BCL types (System.Threading.Lock).
    private static readonly IObjectProvider<IType> DriversAndRuntimes = Types().That().ResideInNamespaceOrBelow("Npgsql")
        .Or().ResideInNamespaceOrBelow("Minio").Or().ResideInNamespaceOrBelow("Microsoft.ML.OnnxRuntime").Or().ResideInNamespaceOrBelow("LLama")
        .As("Npgsql, Minio, ONNX Runtime or LLamaSharp types");

    [Fact]
    public void Function_layer_types_do_not_use_the_database_driver_the_object_store_client_or_model_runtimes() =>
        Types().That().ResideInAssembly(FunctionLayer)
            // The composition root names Npgsql's trace source (AddNpgsql, in a lambda: a nested closure type); it configures
            // telemetry, it reads no data.
            .And().DoNotHaveFullNameStartingWith(typeof(TelemetryRegistration).FullName!)
            .Should().NotDependOnAny(DriversAndRuntimes)
            .Because("functions bind, call a shared service and map; Npgsql, Minio, ONNX Runtime and LLamaSharp stay in shared/")
            .Check(Loaded);

    // The rule is not vacuous: the code it leaves out (it calls Npgsql's AddNpgsql) is exactly what it reports.
    [Fact]
    public void The_dependency_rule_reports_code_that_uses_Npgsql() =>
        Assert.Throws<FailedArchRuleException>(() =>
            Types().That().HaveFullNameStartingWith(typeof(TelemetryRegistration).FullName!).Should().NotDependOnAny(DriversAndRuntimes).Check(Loaded));

    // What answers questions and searches, unaudited: a function reaches these only through Lode.Audit's decorators.
    private static readonly IObjectProvider<IType> UnauditedQuestionServices = Types().That().Are(
            typeof(Lode.Chat.ChatService), typeof(Lode.Retrieval.HybridRetriever), typeof(Lode.Retrieval.IRetriever),
            typeof(Lode.Retrieval.Evaluation.RetrievalEvaluator))
        .As("ChatService, HybridRetriever, IRetriever or RetrievalEvaluator");

    private static IArchRule ReachesQuestionsOnlyAudited(IObjectProvider<IType> subjects) =>
        Types().That().Are(subjects).Should().NotDependOnAny(UnauditedQuestionServices)
            .Because("every answer and search is an audit row: functions use AuditedChat, AuditedSearch and AuditedEvaluation");

    [Fact]
    public void Function_classes_answer_and_search_only_through_the_audited_services()
    {
        ReachesQuestionsOnlyAudited(Types().That().Are(FunctionClasses().ToArray())).Check(Loaded);

        // Not vacuous: the decorators themselves hold the raw services, and the rule reports them.
        Assert.False(ReachesQuestionsOnlyAudited(Types().That().Are(typeof(Lode.Audit.AuditedChat), typeof(Lode.Audit.AuditedSearch)))
            .HasNoViolations(Loaded));
    }

    public static TheoryData<string> FunctionClassNames()
    {
        var data = new TheoryData<string>();
        foreach (var type in FunctionClasses()) data.Add(type.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(FunctionClassNames))]
    public void Each_function_class_stays_within_its_line_budget(string className)
    {
        var file = SourceFileOf(className);
        var lines = File.ReadAllLines(file).Length;
        Assert.True(lines <= MaxLinesPerFunctionFile,
            $"{Path.GetFileName(file)} ({className}) has {lines} lines, more than {MaxLinesPerFunctionFile}: move the rule it holds into shared/ "
            + "or the HTTP shaping into Http/.");
    }

    [Fact]
    public void Function_classes_are_found() => Assert.Contains(FunctionClasses(), t => t == typeof(Health));

    private static IEnumerable<System.Type> FunctionClasses() =>
        FunctionLayer.GetExportedTypes().Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null));

    // Function classes live in functions/Lode.Functions/Functions, one or a few (of one resource) per file.
    private static string SourceFileOf(string className)
    {
        var folder = Path.Combine(S3ServerProcess.FindRepositoryRoot(), "functions", "Lode.Functions", "Functions");
        var declaration = new Regex($@"\bclass\s+{Regex.Escape(className)}\b");
        return Directory.EnumerateFiles(folder, "*.cs").SingleOrDefault(f => declaration.IsMatch(File.ReadAllText(f)))
            ?? throw new Xunit.Sdk.XunitException($"No file in {folder} declares class {className}: function classes live there.");
    }
}
