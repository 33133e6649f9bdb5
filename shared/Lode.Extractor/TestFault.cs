using System.Runtime.CompilerServices;

namespace Lode.Extractor;

/// <summary>
/// Misbehaviour on demand, for the tests that prove the app survives a child that crashes, overflows its stack, runs
/// out of memory, never ends or writes without end. Set only by the environment variable <see cref="Variable"/>,
/// which the app never passes on from its own environment (the child's environment is built from an allow-list, see
/// ChildEnvironment); only the tests' internal hook adds it. Nothing in a request can select a fault: a document
/// cannot reach this.
/// </summary>
internal sealed class TestFault(string? mode)
{
    public const string Variable = "LODE_EXTRACTOR_TEST_FAULT";

    public static TestFault FromEnvironment() => new(Environment.GetEnvironmentVariable(Variable));

    /// <summary>Misbehaves as configured when a request arrives; does nothing without a fault.</summary>
    public void Trigger(Stream output)
    {
        switch (mode)
        {
            case null or "":
                return;
            case "stack-overflow":
                Recurse(0);
                return;
            case "memory":
                Hoard();
                return;
            case "forever":
                Spin();
                return;
            case "flood":
                Flood(output);
                return;
            case "crash":
                Environment.FailFast("Test fault: crash.");
                return;
            default:
                throw new InvalidOperationException($"Unknown test fault '{mode}'.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Recurse(int depth)
    {
        Span<byte> frame = stackalloc byte[256];
        frame[depth % 256] = 1;
        return Recurse(depth + 1) + frame[0];
    }

    private static void Hoard()
    {
        var hoard = new List<byte[]>();
        while (true)
        {
            var block = new byte[64 << 20];
            Array.Fill(block, (byte)1); // touched, so the memory is really used, not just reserved
            hoard.Add(block);
        }
    }

    private static void Spin()
    {
        var counter = 0L;
        while (true) counter = unchecked(counter * 31 + 7);
    }

    // A frame announcing 2 GiB, then bytes without end: the app must refuse it at its output cap and kill the child.
    private static void Flood(Stream output)
    {
        output.Write([0xff, 0xff, 0xff, 0x7f]);
        var chunk = new byte[1 << 16];
        while (true) output.Write(chunk);
    }
}
