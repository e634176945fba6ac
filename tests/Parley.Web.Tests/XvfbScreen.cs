using System.Diagnostics;

namespace Parley.Web.Tests;

/// <summary>
/// An Xvfb display of 1920x1080 for headed Chromium to capture as a real screen. Its output is read (and only
/// its last lines kept): Xvfb writes a keymap warning for each client, and a pipe nobody reads fills, stops the X
/// server in its write and with it the headed Chromium, whose close then never returns.
/// </summary>
internal sealed class XvfbScreen : IDisposable
{
    private const int KeptLines = 20;
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private XvfbScreen(string display, Process process)
    {
        Display = display;
        _process = process;
    }

    /// <summary>The display's name, such as <c>:96</c>.</summary>
    public string Display { get; }

    /// <summary>What Xvfb said last (for a failure message).</summary>
    public string LastLines
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join('\n', _lastLines);
            }
        }
    }

    /// <summary>Starts Xvfb on <paramref name="display"/> and waits (at most 10 s) until its socket accepts clients.</summary>
    public static async Task<XvfbScreen> StartAsync(string display)
    {
        var socket = $"/tmp/.X11-unix/X{display.TrimStart(':')}";
        File.Delete(socket); // left by an Xvfb killed outright: its socket would look open before ours is
        var process = Process.Start(new ProcessStartInfo("Xvfb", [display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var screen = new XvfbScreen(display, process);
        process.ErrorDataReceived += (_, e) => screen.Keep(e.Data);
        process.OutputDataReceived += (_, e) => screen.Keep(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(socket))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                screen.Dispose();
                throw new InvalidOperationException($"Xvfb did not open display {display}: {screen.LastLines}");
            }
            await Task.Delay(50);
        }
        return screen;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }
    }

    /// <summary>Stops Xvfb (asked first, so it removes its socket and lock) and waits for it to go, so the next test can take the display.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                using (var term = Process.Start("/bin/kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    term.WaitForExit(TimeSpan.FromSeconds(5));
                }
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    _process.Kill();
                    _process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
        }
        catch (InvalidOperationException)
        {
            // gone already
        }
        _process.Dispose();
    }
}
