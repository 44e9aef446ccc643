using System.Text.RegularExpressions;

namespace DocStore.Core.Principals;

/// <summary>The rule for user and group names, the same as the database's check.</summary>
public static partial class UserNames
{
    public static bool IsValid(string name) => NamePattern().IsMatch(name);

    public const string Rule = "1 to 128 characters: letters, digits, '.', '_', '@' and '-', starting with a letter or digit";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex NamePattern();
}
