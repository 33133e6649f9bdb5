// Two namespaces that use each other on purpose: LibraryRulesTests shows its cycle rule catches them.
namespace Lode.Tests.Architecture.CycleSample.Left
{
    internal sealed class LeftSide
    {
        public Right.RightSide? Other { get; set; }
    }
}

namespace Lode.Tests.Architecture.CycleSample.Right
{
    internal sealed class RightSide
    {
        public Left.LeftSide? Other { get; set; }
    }
}
