namespace Lookalike.Ann;

/// <summary>One line of ann.json: a tool's index at one setting on one dataset, medians over the rounds.</summary>
internal sealed record AnnRow(string Dataset, string Tool, string Index, string Family, string Params, double Recall10,
    double Qps1Thread, double QpsAllThreads, double BuildSeconds, double BytesPerVector, double? DistancesPerQuery, int Rounds);
