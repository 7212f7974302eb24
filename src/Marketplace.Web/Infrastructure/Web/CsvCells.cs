namespace Marketplace.Web.Infrastructure.Web;

/// <summary>What every CSV the site writes does to a cell (the personal data export, the incident register).</summary>
public static class CsvCells
{
    /// <summary>A cell a spreadsheet would read as a formula (=, +, -, @, or a tab or carriage return first) starts with « ' ».</summary>
    public static string Neutralized(string cell) => cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + cell : cell;

    /// <summary>The cell between double quotes, its own quotes doubled (RFC 4180).</summary>
    public static string Quoted(string cell) => "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
