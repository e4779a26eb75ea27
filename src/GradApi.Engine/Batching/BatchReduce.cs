namespace GradApi.Engine.Batching;

/// <summary>What a batch answers for each requested grad: every sample's, or one number over the samples.</summary>
public enum BatchReduce
{
    /// <summary>One grad per sample.</summary>
    None,

    /// <summary>The sum of the samples' grads (a loss summed over data points).</summary>
    Sum,

    /// <summary>The sum divided by the number of samples.</summary>
    Mean,
}
