namespace Lode.Storage;

/// <summary>
/// The order S3 (and MinIO) list keys in: by their UTF-8 bytes, which is Unicode code point order. .NET's ordinal order
/// compares UTF-16 code units and differs from it for characters outside the Basic Multilingual Plane (a surrogate pair
/// sorts before U+E000..U+FFFF in UTF-16, after them in UTF-8). PostgreSQL gets the same order with COLLATE "C".
/// </summary>
public static class KeyOrder
{
    public static IComparer<string> Comparer { get; } = new CodePointComparer();

    private sealed class CodePointComparer : IComparer<string>
    {
        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var (a, b) = (x.EnumerateRunes(), y.EnumerateRunes());
            while (true)
            {
                var (moreA, moreB) = (a.MoveNext(), b.MoveNext());
                if (!moreA || !moreB) return moreA.CompareTo(moreB);
                var order = a.Current.Value.CompareTo(b.Current.Value);
                if (order != 0) return order;
            }
        }
    }
}
