using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Switchboard.Platform.Csv;

/// <summary>How every CSV export writes, so none can carry a formula: a cell that a spreadsheet would run (one starting with
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return, OWASP's CSV injection list) is written with a leading
/// apostrophe, which spreadsheets show as plain text. Imports take the apostrophe off again (<see cref="Unescape"/>), so an
/// export still imports back unchanged.</summary>
public static class CsvExport
{
    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape };

    public static CsvWriter CreateWriter(TextWriter writer) => new(writer, Configuration);

    /// <summary>A cell as it was before <see cref="CreateWriter"/> escaped it.</summary>
    public static string Unescape(string cell) =>
        cell.Length > 1 && cell[0] == Configuration.InjectionEscapeCharacter && Configuration.InjectionCharacters.Contains(cell[1]) ? cell[1..] : cell;
}
