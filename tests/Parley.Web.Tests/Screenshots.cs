using Microsoft.Playwright;

namespace Parley.Web.Tests;

/// <summary>Saves views to docs/screenshots/ in the repository, for the README.</summary>
internal static class Screenshots
{
    public static string Folder { get; } = FindFolder();

    private static string FindFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Parley.slnx")))
        {
            dir = dir.Parent;
        }
        var folder = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static async Task SaveAsync(IPage page, string name)
    {
        // Let transitions and the last fetches settle so the picture is what a person sees.
        await page.WaitForTimeoutAsync(300);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, name + ".png") });
    }
}
