using System.Text;

namespace Lode.Tests.Support;

/// <summary>
/// Plain text long enough that embedding it takes seconds on the test machine, so a test can act while a worker is
/// in the middle of it.
/// </summary>
public static class LongDocument
{
    public static byte[] Text(int clauses = 1200) => Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(1, clauses).Select(i =>
        $"Clause {i}. The committee reviews request number {i} within {i % 9 + 2} working days and records its decision.")));
}
