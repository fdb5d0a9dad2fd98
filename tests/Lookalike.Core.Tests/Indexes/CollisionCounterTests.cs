using Lookalike.Indexes;

namespace Lookalike.Core.Tests.Indexes;

public sealed class CollisionCounterTests
{
    [Fact]
    public void The_rows_found_in_most_buckets_come_first_and_ties_keep_the_order_found()
    {
        var counter = new CollisionCounter();
        counter.Clear(10);
        counter.Add([3, 1, 7]);
        counter.Add(null);
        counter.Add([1, 5, 7]);
        counter.Add([7, 9]);
        counter.Add([2]);
        Assert.Equal(6, counter.Count);
        Assert.Equal(3, counter.CollisionsOf(7));
        Assert.Equal(2, counter.CollisionsOf(1));
        Assert.Equal(0, counter.CollisionsOf(4));

        // Chosen: 7 (three buckets), 1 (two), then the first found of those seen once; listed in the order found.
        Assert.Equal([7], counter.MostCollided(1));
        Assert.Equal([1, 7], counter.MostCollided(2));
        Assert.Equal([3, 1, 7], counter.MostCollided(3));
        Assert.Equal([3, 1, 7, 5], counter.MostCollided(4));
        // A budget at or above the rows counted (or none) takes them all, in the order found.
        Assert.Equal([3, 1, 7, 5, 9, 2], counter.MostCollided(0));
        Assert.Equal([3, 1, 7, 5, 9, 2], counter.MostCollided(50));
    }

    [Fact]
    public void Clearing_forgets_every_count_and_grows_to_more_rows()
    {
        var counter = new CollisionCounter();
        counter.Clear(4);
        counter.Add([0, 1, 1]);
        counter.Clear(100);
        Assert.Equal(0, counter.Count);
        Assert.Equal(0, counter.CollisionsOf(1));
        counter.Add([99, 0]);
        counter.Add([99]);
        Assert.Equal([99], counter.MostCollided(1));
        Assert.Equal(2, counter.CollisionsOf(99));
    }
}
