using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// A search's candidate budget: at most <see cref="MaxCandidates"/> distinct rows get an exact distance
/// (0: no budget), chosen in probing order or, with <see cref="CountCollisions"/>, by how many probed
/// buckets held them (<see cref="CollisionCounter"/>).
/// </summary>
public readonly record struct CandidateBudget(int MaxCandidates, bool CountCollisions);

/// <summary>The candidate budget (<see cref="LshSearchParameters.MaxCandidates"/>) as the hashing indexes' specs write and check it.</summary>
internal static class LshBudget
{
    /// <summary>"maxCandidates=N," (and "countCollisions=1,") when there is a budget, else nothing (specs without one read as before).</summary>
    public static string SpecPart(int maxCandidates, bool countCollisions = false) =>
        (maxCandidates > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"maxCandidates={maxCandidates},") : "")
        + (countCollisions ? "countCollisions=1," : "");

    /// <summary>The budget of one search: the parameters' when they set one, else the index's own; throws for a negative one.</summary>
    public static CandidateBudget Of(SearchParameters? parameters, int own, bool ownCounting = false)
    {
        var lsh = parameters as LshSearchParameters;
        int budget = lsh?.MaxCandidates ?? own;
        if (budget < 0) throw new LookalikeException($"maxCandidates must be 0 (no budget) or more (was {budget}).");
        return new CandidateBudget(budget, lsh?.CountCollisions ?? ownCounting);
    }

    /// <summary>Reads the 0/1 <c>countCollisions</c> parameter.</summary>
    public static bool ParseCounting(IndexSpecComponent component, string type)
    {
        int counting = component.GetInt("countcollisions", 0);
        if (counting is not (0 or 1)) throw new LookalikeException($"{type} countCollisions must be 0 or 1 (was {counting}).");
        return counting == 1;
    }

    /// <summary>Throws for a negative budget.</summary>
    public static void Validate(string type, int maxCandidates)
    {
        if (maxCandidates < 0) throw new LookalikeException($"{type} maxCandidates must be 0 (no budget) or more (was {maxCandidates}).");
    }
}
