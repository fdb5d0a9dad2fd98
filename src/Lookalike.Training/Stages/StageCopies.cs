namespace Lookalike.Training.Stages;

/// <summary>
/// The maps of altered copies (e.g. flipped) of a stage's training images, in their own cache: the
/// joint phase gives each image, at each step, either its own maps or one of its copies', at random.
/// </summary>
/// <param name="Name">The alteration, for messages and the run's record (e.g. <c>flip</c>).</param>
/// <param name="Cache">The copies' maps (a trunk with the alteration in its preprocessing has its own cache).</param>
/// <param name="Rows">For each training example, in order, its copy's row in <paramref name="Cache"/> (−1: no copy).</param>
public sealed record StageCopies(string Name, StageMapCache Cache, int[] Rows)
{
    /// <summary>Copies there are.</summary>
    public int Count => Rows.Count(r => r >= 0);
}
