namespace GradApi.Engine.Insight;

/// <summary>
/// One step of the chain rule: the grad of <see cref="Node"/> (<see cref="Upstream"/>, d output /
/// d node) times the local gradient d node / d input (<see cref="Local"/>) flows back to
/// <see cref="Input"/> as <see cref="Product"/>. <see cref="Slot"/> is which of the node's
/// <c>inputs</c> the edge is (so <c>x*x</c> has two steps into <c>x</c>, slots 0 and 1);
/// <see cref="NodeIndex"/> and <see cref="InputIndex"/> are the nodes' indexes in the request.
/// </summary>
public readonly record struct BackwardStep(
    string Node,
    string Input,
    int NodeIndex,
    int InputIndex,
    int Slot,
    double Local,
    double Upstream,
    double Product);
