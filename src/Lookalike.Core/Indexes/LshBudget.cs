using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// A search's candidate budget: at most <see cref="MaxCandidates"/> distinct rows get an exact distance
/// (0: no budget), chosen in probing order or, with <see cref="CountCollisions"/>, by how many probed
/// buckets held them (<see cref="CollisionCounter"/>).
/// </summary>
/// <param name="MaxCandidates">Stop probing once this many distinct candidates were collected (0: no budget).</param>
/// <param name="CountCollisions">With a budget, whether it goes to the rows found in the most probed buckets.</param>
public readonly record struct CandidateBudget(int MaxCandidates = 0, bool CountCollisions = false);

/// <summary>The candidate budget of the hashing indexes as their specs read, write and check it, and as a search overrides it.</summary>
internal static class LshBudget
{
    /// <summary>The spec parameters of a budget (next to each type's own probing knob).</summary>
    public static readonly string[] ParameterNames = ["maxcandidates", "countcollisions"];

    /// <summary>Reads <c>maxCandidates</c> and the 0/1 <c>countCollisions</c> of a spec component (absent: no budget).</summary>
    public static CandidateBudget Parse(IndexSpecComponent component, string type)
    {
        int counting = component.GetInt("countcollisions", 0);
        if (counting is not (0 or 1)) throw new LookalikeException($"{type} countCollisions must be 0 or 1 (was {counting}).");
        return new CandidateBudget(component.GetInt("maxcandidates", 0), counting == 1);
    }

    /// <summary>
    /// "maxCandidates=N," when there is a budget (or <paramref name="always"/>), then "countCollisions=1," when set;
    /// nothing otherwise, so specs without a budget read as before.
    /// </summary>
    public static string SpecPart(CandidateBudget budget, bool always = false) =>
        (budget.MaxCandidates > 0 || always ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"maxCandidates={budget.MaxCandidates},") : "")
        + (budget.CountCollisions ? "countCollisions=1," : "");

    /// <summary>Throws for a negative budget.</summary>
    public static void Validate(string type, CandidateBudget budget)
    {
        if (budget.MaxCandidates < 0) throw new LookalikeException($"{type} maxCandidates must be 0 (no budget) or more (was {budget.MaxCandidates}).");
    }

    /// <summary>The search parameters a spec's search-time knobs stand for: its probes and its budget.</summary>
    public static LshSearchParameters Parameters(int probes, CandidateBudget budget) =>
        new() { Probes = probes, MaxCandidates = budget.MaxCandidates, CountCollisions = budget.CountCollisions };

    /// <summary>The budget of one search: what the parameters set, else the index's own; throws for a negative one.</summary>
    public static CandidateBudget Of(SearchParameters? parameters, CandidateBudget own)
    {
        var lsh = parameters as LshSearchParameters;
        int budget = lsh?.MaxCandidates ?? own.MaxCandidates;
        if (budget < 0) throw new LookalikeException($"maxCandidates must be 0 (no budget) or more (was {budget}).");
        return new CandidateBudget(budget, lsh?.CountCollisions ?? own.CountCollisions);
    }
}
