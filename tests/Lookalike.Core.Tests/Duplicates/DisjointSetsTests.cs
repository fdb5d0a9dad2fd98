using Lookalike.Duplicates;

namespace Lookalike.Core.Tests.Duplicates;

public sealed class DisjointSetsTests
{
    [Fact]
    public void Chains_of_edges_make_one_set_and_singletons_none()
    {
        var sets = new DisjointSets();
        sets.Union(5, 9);
        sets.Union(9, 2);
        sets.Union(7, 8);
        sets.Union(3, 3);
        Assert.Equal([[2, 5, 9], [7, 8]], sets.Sets());
        Assert.Equal(sets.Find(2), sets.Find(5));
        Assert.NotEqual(sets.Find(2), sets.Find(7));
    }

    [Fact]
    public void Matches_a_naive_component_search_on_random_graphs()
    {
        var random = new Random(3);
        for (int round = 0; round < 20; round++)
        {
            var edges = Enumerable.Range(0, 60).Select(_ => ((long)random.Next(80), (long)random.Next(80))).ToList();
            var sets = new DisjointSets();
            foreach (var (a, b) in edges) sets.Union(a, b);
            // Naive: grow each component by repeated passes over the edges.
            var expected = new List<long[]>();
            var seen = new HashSet<long>();
            foreach (long start in edges.SelectMany(e => new[] { e.Item1, e.Item2 }).Distinct().Order())
            {
                if (!seen.Add(start)) continue;
                var component = new HashSet<long> { start };
                for (bool grew = true; grew;)
                {
                    grew = false;
                    foreach (var (a, b) in edges)
                    {
                        if (component.Contains(a) && component.Add(b)) grew = true;
                        if (component.Contains(b) && component.Add(a)) grew = true;
                    }
                }
                seen.UnionWith(component);
                if (component.Count > 1) expected.Add([.. component.Order()]);
            }
            Assert.Equal(expected, sets.Sets());
        }
    }
}
