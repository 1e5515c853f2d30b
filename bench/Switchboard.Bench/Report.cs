using System.Text;

namespace Switchboard.Bench;

/// <summary>What a benchmark prints: every line goes to the console and into the Markdown file the run leaves in
/// <c>bench/results/&lt;command&gt;-&lt;date&gt;[-label].md</c>.</summary>
public sealed class Report(string command, string? label)
{
    private readonly StringBuilder text = new();

    public void Line(string line = "")
    {
        Console.WriteLine(line);
        text.AppendLine(line);
    }

    /// <summary>Writes the file (also after a failed run, marked as such) and returns its path.</summary>
    public string Save(Exception? failure = null)
    {
        if (failure is not null)
        {
            Line();
            Line($"**The run failed:** {failure.GetType().Name}: {failure.Message}");
        }
        var directory = ResultsDirectory();
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{command}-{DateTime.UtcNow:yyyy-MM-dd}{(string.IsNullOrEmpty(label) ? "" : "-" + label)}.md");
        File.WriteAllText(path, text.ToString());
        Console.WriteLine();
        Console.WriteLine($"Written to {path}");
        return path;
    }

    /// <summary><c>bench/results</c> of the checkout the benchmark runs from (found from the working directory, else from the
    /// binaries), so <c>dotnet run</c> from anywhere in the repository writes to the same place.</summary>
    private static string ResultsDirectory() =>
        RepositoryRoot() is { } root ? Path.Combine(root, "bench", "results") : Path.Combine(Directory.GetCurrentDirectory(), "results");

    /// <summary>The checkout (the directory holding Switchboard.slnx) above the working directory or the binaries.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Switchboard.slnx")))
                    return directory.FullName;
            }
        }
        return null;
    }
}
