using Lode.Access;
using Lode.Identity;

namespace Lode.Tests.Security;

/// <summary>The one normal form of group names, shared by callers and documents.</summary>
public sealed class AccessGroupsTests
{
    [Fact]
    public void Normalize_trims_drops_empty_names_and_duplicates_and_sorts_ordinally()
    {
        Assert.Equal(["Finance", "finance", "hr"], AccessGroups.Normalize([" hr", "finance ", null, "", "   ", "hr", "Finance"]));
    }

    [Fact]
    public void Names_are_case_sensitive_so_a_near_miss_denies()
    {
        Assert.Equal(["HR", "hr"], AccessGroups.Normalize(["hr", "HR"]));
    }

    [Fact]
    public void Names_longer_than_the_limit_are_dropped()
    {
        var longest = new string('g', AccessGroups.MaxGroupLength);

        Assert.Equal([longest], AccessGroups.Normalize([longest, longest + "g"]));
    }

    [Theory]
    [InlineData(null, new string[0])]
    [InlineData("", new string[0])]
    [InlineData(" , ,", new string[0])]
    [InlineData("b,a", new[] { "a", "b" })]
    [InlineData(" b , a ,b", new[] { "a", "b" })]
    [InlineData("one group", new[] { "one group" })]
    public void Parse_reads_a_comma_separated_list(string? list, string[] expected)
    {
        Assert.Equal(expected, AccessGroups.Parse(list));
    }

    [Fact]
    public void A_caller_is_admin_only_by_the_exact_admin_group_and_carries_normalized_groups()
    {
        var admin = Caller.Create("ops", "api-key", [" lode-admins ", "hr", "hr"], "lode-admins");
        var lookalike = Caller.Create("eve", "api-key", ["Lode-Admins", "lode-admins-2"], "lode-admins");
        var nobody = Caller.Create("svc", "api-key", [], "lode-admins");

        Assert.True(admin.IsAdmin);
        Assert.Equal(["hr", "lode-admins"], admin.Groups);
        Assert.False(lookalike.IsAdmin);
        Assert.False(nobody.IsAdmin);
        Assert.Empty(nobody.Groups);
    }
}
