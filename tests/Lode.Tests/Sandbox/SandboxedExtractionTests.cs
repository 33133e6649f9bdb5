using Lode.Ingestion.Extraction;
using Lode.Ingestion.Sandbox;
using Lode.Tests.Extraction;

namespace Lode.Tests.Sandbox;

/// <summary>
/// The sandboxed runner with real Lode.Extractor children: same results as in-process extraction, and every way a
/// child can misbehave ends as a rejection naming the limit, while the runner (this test process) carries on.
/// </summary>
public sealed class SandboxedExtractionTests
{
    [Theory]
    [InlineData("handbook-12pages.pdf")]
    [InlineData("manual-4pages.pdf")]
    [InlineData("report.docx")]
    [InlineData("harbour.html")]
    [InlineData("field-guide.md")]
    [InlineData("semicolon.csv")]
    [InlineData("valid.json")]
    [InlineData("utf16le-bom.txt")]
    public async Task A_document_extracted_in_the_sandbox_equals_its_in_process_extraction(string name)
    {
        using var runner = SandboxFixtures.Runner();
        var bytes = File.ReadAllBytes(TestFiles.PathOf(name));

        var sandboxed = await SandboxFixtures.ExtractAsync(runner, name, bytes);
        var inProcess = TestFiles.Extract(SandboxFixtures.Registry.GetExtractor(name, null), bytes);

        Assert.Equal(inProcess.Title, sandboxed.Title);
        Assert.Equal(inProcess.Pages, sandboxed.Pages);
        Assert.Equal(inProcess.Sections.Count, sandboxed.Sections.Count);
        foreach (var (expected, actual) in inProcess.Sections.Zip(sandboxed.Sections))
        {
            Assert.Equal((expected.Page, expected.Offset), (actual.Page, actual.Offset));
            Assert.Equal(expected.HeadingPath, actual.HeadingPath);
        }
        Assert.Contains(sandboxed.Pages, p => p.Text.Length > 0);
    }

    [Fact]
    public async Task Rejections_cross_the_process_boundary_with_their_reason()
    {
        using var runner = SandboxFixtures.Runner();

        var corrupt = await Assert.ThrowsAsync<RejectedDocumentException>(() =>
            SandboxFixtures.ExtractAsync(runner, "x.pdf", File.ReadAllBytes(TestFiles.PathOf("corrupt-garbage.pdf"))));
        var encrypted = await Assert.ThrowsAsync<RejectedDocumentException>(() =>
            SandboxFixtures.ExtractAsync(runner, "x.pdf", File.ReadAllBytes(TestFiles.PathOf("encrypted-user-password.pdf"))));

        Assert.Equal(RejectionReason.Corrupt, corrupt.Reason);
        Assert.Equal(RejectionReason.Encrypted, encrypted.Reason);
    }

    [Fact]
    public async Task The_nested_div_document_of_the_issue_is_killed_at_the_limit_and_the_next_document_extracts()
    {
        using var runner = SandboxFixtures.Runner(new SandboxOptions { WallSeconds = 10, CpuSeconds = 10 });

        var rejected = await Assert.ThrowsAsync<RejectedDocumentException>(() =>
            SandboxFixtures.ExtractAsync(runner, "deep.html", SandboxFixtures.NestedDivs()));
        var ordinary = await SandboxFixtures.ExtractAsync(runner, "ferry.md", SandboxFixtures.Markdown("# Ferry\n\nThe first ferry leaves at seven."));

        // Whichever limit the machine reaches first: the wall clock, the CPU budget or the stack.
        Assert.Contains(rejected.Reason, new[] { RejectionReason.TimedOut, RejectionReason.Corrupt });
        Assert.Matches("wall time|CPU seconds|stack overflow", rejected.Message);
        Assert.Contains("first ferry", ordinary.Pages[0].Text);
    }

    [Theory]
    [InlineData("stack-overflow", RejectionReason.Corrupt, "stack overflow")]
    [InlineData("memory", RejectionReason.TooLarge, "out of memory")]
    [InlineData("flood", RejectionReason.TooLarge, "output exceeded 16 MB")]
    [InlineData("crash", RejectionReason.Corrupt, "crashed")]
    public async Task A_child_that_misbehaves_is_stopped_and_reported(string fault, RejectionReason reason, string message)
    {
        using var runner = SandboxFixtures.MisbehavingRunner(fault);

        var rejected = await Assert.ThrowsAsync<RejectedDocumentException>(() =>
            SandboxFixtures.ExtractAsync(runner, "any.md", SandboxFixtures.Markdown("# Any document")));

        Assert.Equal(reason, rejected.Reason);
        Assert.Contains(message, rejected.Message);
        Assert.IsType<ChildFailureException>(rejected.InnerException);
    }

    [Fact]
    public async Task A_child_that_runs_forever_is_killed_at_the_wall_clock_deadline()
    {
        using var runner = SandboxFixtures.MisbehavingRunner("forever", wallSeconds: 2, cpuSeconds: 600);

        var rejected = await Assert.ThrowsAsync<RejectedDocumentException>(() =>
            SandboxFixtures.ExtractAsync(runner, "any.md", SandboxFixtures.Markdown("# Any document")));

        Assert.Equal(RejectionReason.TimedOut, rejected.Reason);
        Assert.Contains("exceeded 2 s wall time and was killed", rejected.Message);
    }

    [Fact]
    public async Task A_child_that_spins_is_killed_by_its_CPU_budget()
    {
        using var runner = SandboxFixtures.MisbehavingRunner("forever", wallSeconds: 600, cpuSeconds: 1);

        var rejected = await Assert.ThrowsAsync<RejectedDocumentException>(() =>
            SandboxFixtures.ExtractAsync(runner, "any.md", SandboxFixtures.Markdown("# Any document")));

        Assert.Equal(RejectionReason.TimedOut, rejected.Reason);
        Assert.Contains("exceeded 1 CPU seconds", rejected.Message);
    }

    [Fact]
    public void A_child_inherits_no_credentials_and_no_test_fault_from_the_app_environment()
    {
        Environment.SetEnvironmentVariable("Storage__SecretKey", "probe-secret");
        Environment.SetEnvironmentVariable("LODE_EXTRACTOR_TEST_FAULT", "crash");
        try
        {
            var start = new ChildCommand().StartInfo(ChildLimits.From(new SandboxOptions(), new Lode.Ingestion.IngestionOptions()), Path.GetTempPath());

            Assert.DoesNotContain("Storage__SecretKey", start.Environment.Keys);
            Assert.DoesNotContain("LODE_EXTRACTOR_TEST_FAULT", start.Environment.Keys);
            Assert.Contains("--core=0", start.ArgumentList);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Storage__SecretKey", null);
            Environment.SetEnvironmentVariable("LODE_EXTRACTOR_TEST_FAULT", null);
        }
    }
}
