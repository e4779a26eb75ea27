namespace GradApi.Engine.Evaluation;

/// <summary>
/// The engine's footprint for one evaluation. <see cref="CachedPartials"/> counts the local
/// gradients kept for backward (one per edge in training, none in inference);
/// <see cref="PeakLiveValues"/> the most node values held at once (all of them in training).
/// </summary>
public readonly record struct EvaluationStats(int Nodes, int Edges, int CachedPartials, int PeakLiveValues);
