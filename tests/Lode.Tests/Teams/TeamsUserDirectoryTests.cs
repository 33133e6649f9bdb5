using Lode.Teams;

namespace Lode.Tests.Teams;

/// <summary>Teams users' groups from configuration.</summary>
public sealed class TeamsUserDirectoryTests
{
    private const string Mapped = "d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0";

    private static TeamsUserDirectory Directory(params string[] defaultGroups) => new(new TeamsOptions
    {
        UserGroups = new() { [Mapped] = [" hr ", "finance", "hr"] },
        DefaultGroups = [.. defaultGroups],
    });

    [Fact]
    public void A_mapped_user_has_their_groups_normalized_whatever_the_case_of_the_id() =>
        Assert.Equal(["finance", "hr"], Directory().GroupsOf(Mapped.ToUpperInvariant()));

    [Fact]
    public void An_unmapped_user_has_no_groups_unless_defaults_are_configured()
    {
        Assert.Empty(Directory().GroupsOf("0a4c8f2e-0000-4000-8000-000000000000"));
        Assert.Equal(["staff"], Directory("staff").GroupsOf("0a4c8f2e-0000-4000-8000-000000000000"));
    }

    [Fact]
    public void A_message_without_a_user_id_gets_no_groups_not_even_the_defaults()
    {
        Assert.Empty(Directory("staff").GroupsOf(null));
        Assert.Empty(Directory("staff").GroupsOf(" "));
    }

    [Fact]
    public void A_user_mapped_to_no_group_reads_nothing_and_does_not_fall_back_to_the_defaults()
    {
        // Configured as Teams:UserGroups:<id>= (or a list of blanks): an administrator's "nobody", not "the default".
        const string Revoked = "5f1e2d3c-0000-4000-8000-000000000001";
        var directory = new TeamsUserDirectory(new TeamsOptions
        {
            UserGroups = new() { [Revoked] = [], [Mapped] = [" ", ""] },
            DefaultGroups = ["staff"],
        });

        Assert.Empty(directory.GroupsOf(Revoked));
        Assert.Empty(directory.GroupsOf(Mapped));
    }
}
