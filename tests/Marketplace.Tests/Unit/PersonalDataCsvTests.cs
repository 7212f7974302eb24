using Marketplace.Web.Features.Privacy;

namespace Marketplace.Tests.Unit;

/// <summary>The CSV files of « Mes données »: RFC 4180 quoting, and no cell a spreadsheet would run as a formula.</summary>
public sealed class PersonalDataCsvTests
{
    private sealed record Row(string Name, string? Note, DateTimeOffset At, bool Flag);

    [Test]
    public void Cells_with_commas_quotes_or_line_breaks_are_quoted_and_formulas_are_neutralized()
    {
        var csv = PersonalDataExport.Csv(new[]
        {
            new Row("Dupont, « Alex »", "dit \"bonjour\"\nà tous", new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.FromHours(-5)), true),
            new Row("=HYPERLINK(\"http://x\")", null, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), false),
        });
        Assert.That(csv.Split("\r\n"), Is.EqualTo(new[]
        {
            "name,note,at,flag",
            "\"Dupont, « Alex »\",\"dit \"\"bonjour\"\"\nà tous\",2026-12-06T15:00:00Z,true",
            "\"'=HYPERLINK(\"\"http://x\"\")\",,2026-01-02T03:04:05Z,false",
            "",
        }));
    }
}
