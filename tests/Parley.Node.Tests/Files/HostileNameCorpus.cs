namespace Parley.Node.Tests.Files;

/// <summary>Received names a hostile or careless sender might offer: more than 200 of them.</summary>
internal static class HostileNameCorpus
{
    private static readonly string[] Handwritten =
    [
        "..", "../../x", "a/../../b", "../x", "a/..", "./x", "a/./b", ".", "...", "/etc/passwd", "/", "//x", "a//b", "a/", "",
        "C:\\x", "C:/x", "C:", "c:\\windows\\system32\\x.dll", "\\\\server\\share", "\\\\?\\C:\\x", "\\\\.\\pipe\\x", "\\x", "a\\..\\..\\b",
        "a\0b", "\0", "\u001b[31mred\u001b[0m", "\u001b]0;title\u0007", "bell\u0007", "back\bspace", "tab\tname", "new\nline", "cr\rlf\r\n",
        "del\u007f", "c1\u0085next", "\u009b31m",
        "con", "CON", "con.txt", "nul.txt", "Nul.TXT", "NUL", "aux.", "prn ", "com1", "COM9.log", "lpt1", "lpt9.log", "conin$", "CONOUT$.txt",
        "ｃｏｎ", "ＣＯＮ.txt", "ｎｕｌ.txt", "com¹", "lpt³.txt",
        "name.", "name...", "name   ", " . ", ". .", "trailing. . .", " leading space", "  ", "\u3000",
        "evil/passwd", "evil/sub/passwd", "existing.txt", "EXISTING.txt", "Existing.Txt", "existing.txt.", "existing.txt ",
        "résumé.txt", "re\u0301sume\u0301.txt", "\u202Etxt.exe", "a\u200Bb", "\uFEFFbom", "a\u2028b", "a\u2029b", "\u2066iso\u2069",
        "аdmin", "admin", "Admin", "ADMIN", "straße", "STRASSE", "ﬁle", "file", "K", "\u212A",
        "*?<>|:\"", "a:b", "a|b", "a<b>c", "what?", "star*", "quote\"", "~", "~/x", "$HOME", "%WINDIR%", "${IFS}", "`id`", "$(id)",
        ".git/config", ".ssh/authorized_keys", ".parley-00000000000000000000000000000000-0.part", "-rf", "--help",
        new string('a', 300), new string('é', 200), new string('a', 250) + ".tar.gz", new string('名', 100) + ".txt",
        string.Join('/', Enumerable.Repeat("d", 70)) + "/f", string.Join('/', Enumerable.Repeat("deep", 60)) + "/f",
        "dir/file", "DIR/FILE", "Dir/File", "a", "a/b", "A/b", "x/y/z", "x/y", "x",
        "\uD800", "\uDFFF", "a\uD800b", "\uE000private", "emoji😀.txt", "zwj👩‍💻.txt",
    ];

    public static IReadOnlyList<string> All()
    {
        var names = new List<string>(Handwritten);
        // Every C0 and C1 control character, and DEL, in the middle of a name.
        for (var c = 0; c < 0x20; c++)
        {
            names.Add($"x{(char)c}y");
        }
        for (var c = 0x7F; c <= 0x9F; c++)
        {
            names.Add($"x{(char)c}y");
        }
        // Every Windows device name, bare, with an extension, and with trailing dots and spaces.
        string[] devices = ["CON", "PRN", "AUX", "NUL", .. Enumerable.Range(0, 10).Select(i => $"COM{i}"), .. Enumerable.Range(0, 10).Select(i => $"LPT{i}")];
        foreach (var device in devices)
        {
            names.Add(device.ToLowerInvariant());
            names.Add(device + ".txt");
            names.Add(device + " . ");
        }
        return names;
    }
}
