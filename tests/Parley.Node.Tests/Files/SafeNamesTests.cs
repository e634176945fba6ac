using Parley.Node.Files;

namespace Parley.Node.Tests.Files;

/// <summary>
/// The hostile-name corpus through the same code the receiver runs (plan, prepare folders, move to
/// a free name), into a folder that holds a file and a planted link to outside: nothing lands
/// outside, nothing existing is replaced, and every name that lands is plain.
/// </summary>
public sealed class SafeNamesTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("parley-names-").FullName;

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public void Corpus_HasAtLeast200Names() => Assert.True(HostileNameCorpus.All().Count >= 200, HostileNameCorpus.All().Count.ToString());

    [Fact]
    public void EveryName_Alone_LandsInsideOrIsRefused_NeverOverwrites()
    {
        var (root, outside) = Arena("alone");
        var landed = 0;
        var refused = 0;
        foreach (var name in HostileNameCorpus.All())
        {
            var plan = SafeNames.Plan([name], out var error);
            if (plan is null)
            {
                Assert.StartsWith("refused '", error, StringComparison.Ordinal);
                Assert.DoesNotContain(error, c => char.IsControl(c));
                refused++;
                continue;
            }
            landed += Land(root, plan[0]) ? 1 : 0;
        }
        AssertArenaIntact(root, outside);
        Assert.True(refused >= 15, $"refused {refused}");
        Assert.True(landed >= 150, $"landed {landed}");
        // "evil/passwd" went to a real folder beside the link, not through it.
        Assert.True(File.Exists(Path.Combine(root, "evil (1)", "passwd")));
    }

    [Fact]
    public void SafeNames_InOneOffer_AreMadeDistinct_IgnoringCaseAndLookAlikes()
    {
        var (root, outside) = Arena("together");
        var safe = HostileNameCorpus.All().Where(n => SafeNames.TrySanitize(n, out _, out _)).ToList();
        var plan = SafeNames.Plan(safe, out var error);
        Assert.NotNull(plan);
        Assert.Equal(plan!.Count, plan.Select(SafeNames.Fold).Distinct().Count());
        foreach (var path in plan)
        {
            Land(root, path);
        }
        AssertArenaIntact(root, outside);
    }

    [Fact]
    public void Plan_FolderEntry_NamedAsAFolderOthersAreIn_IsThatFolder_WhileAFileOfThatName_TakesASuffix()
    {
        string[] offered = ["photos/a.jpg", "photos", "photos", "empty", "empty", "Photos/b.jpg"];
        bool[] folder = [false, true, false, true, false, false];
        var plan = SafeNames.Plan(offered, out var error, i => folder[i]);
        Assert.True(plan is not null, error);
        // The folder entry carries photos/'s time; a file named "photos" may not take the folder's name, nor "empty" an empty folder's.
        Assert.Equal(["photos/a.jpg", "photos", "photos (1)", "empty", "empty (1)", "Photos/b.jpg"], plan);
    }

    [Theory]
    [InlineData("../../x", "a '..' path component")]
    [InlineData("/etc/passwd", "an absolute path")]
    [InlineData("a//b", "an empty path component ('//' or a trailing '/')")]
    public void Refusals_SayWhy(string name, string why)
    {
        Assert.False(SafeNames.TrySanitize(name, out _, out var error));
        Assert.Equal(why, error);
    }

    [Theory]
    [InlineData("C:\\x", "C__x")]
    [InlineData("\\\\server\\share", "__server_share")]
    [InlineData("nul.txt", "_nul.txt")]
    [InlineData("ＣＯＮ.txt", "_ＣＯＮ.txt")]
    [InlineData("name. . ", "name")]
    [InlineData("\u001b[31mred", "_[31mred")]
    [InlineData("\u202Etxt.exe", "_txt.exe")]
    [InlineData("dir/a\tb", "dir/a_b")]
    public void Sanitize_Rewrites(string name, string expected)
    {
        Assert.True(SafeNames.TrySanitize(name, out var safe, out _));
        Assert.Equal(expected, safe);
    }

    [Fact]
    public void LongComponent_IsShortened_KeepingExtension()
    {
        Assert.True(SafeNames.TrySanitize(new string('é', 300) + ".txt", out var safe, out _));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(safe) <= SafeNames.MaxComponentBytes);
        Assert.EndsWith(".txt", safe, StringComparison.Ordinal);
    }

    /// <summary>A root holding existing.txt and a link "evil" to a folder outside it.</summary>
    private (string Root, string Outside) Arena(string name)
    {
        var root = Directory.CreateDirectory(Path.Combine(_base, name, "root")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(_base, name, "outside")).FullName;
        File.WriteAllText(Path.Combine(root, "existing.txt"), "original");
        Directory.CreateSymbolicLink(Path.Combine(root, "evil"), outside);
        return (root, outside);
    }

    /// <summary>Receives one file named <paramref name="planned"/> as the receiver does.</summary>
    private static bool Land(string root, string planned)
    {
        var temp = Path.Combine(root, ".parley-test.part");
        File.WriteAllText(temp, planned);
        var target = SafeFolder.PrepareParent(root, planned);
        var landed = SafeFolder.MoveToFreeName(temp, target);
        Assert.StartsWith(root + Path.DirectorySeparatorChar, Path.GetFullPath(landed), StringComparison.Ordinal);
        Assert.Equal(planned, File.ReadAllText(landed));
        return true;
    }

    private static void AssertArenaIntact(string root, string outside)
    {
        Assert.Equal("original", File.ReadAllText(Path.Combine(root, "existing.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.NotNull(new DirectoryInfo(Path.Combine(root, "evil")).LinkTarget);
        foreach (var entry in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            Assert.StartsWith(root + Path.DirectorySeparatorChar, entry, StringComparison.Ordinal);
            var name = Path.GetFileName(entry);
            Assert.DoesNotContain(name, c => char.IsControl(c) || c is '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|');
            Assert.False(name.EndsWith('.') || name.EndsWith(' '), $"'{name}' ends in a dot or space");
            Assert.False(new FileInfo(entry).LinkTarget is not null && Path.GetFileName(entry) != "evil", $"{entry} is a link");
        }
    }
}
