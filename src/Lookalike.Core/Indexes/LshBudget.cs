using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>The candidate budget (<see cref="LshSearchParameters.MaxCandidates"/>) as the hashing indexes' specs write and check it.</summary>
internal static class LshBudget
{
    /// <summary>"maxCandidates=N," when there is a budget, else nothing (specs without one read as before).</summary>
    public static string SpecPart(int maxCandidates) =>
        maxCandidates > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"maxCandidates={maxCandidates},") : "";

    /// <summary>The budget of one search: the parameters' when they set one, else the index's own; throws for a negative one.</summary>
    public static int Of(SearchParameters? parameters, int own)
    {
        int budget = (parameters as LshSearchParameters)?.MaxCandidates ?? own;
        if (budget < 0) throw new LookalikeException($"maxCandidates must be 0 (no budget) or more (was {budget}).");
        return budget;
    }

    /// <summary>Throws for a negative budget.</summary>
    public static void Validate(string type, int maxCandidates)
    {
        if (maxCandidates < 0) throw new LookalikeException($"{type} maxCandidates must be 0 (no budget) or more (was {maxCandidates}).");
    }
}
