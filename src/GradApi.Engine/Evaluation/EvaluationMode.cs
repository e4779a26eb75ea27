namespace GradApi.Engine.Evaluation;

public enum EvaluationMode
{
    /// <summary>Forward with every local gradient cached, then backward: every node's value and grad.</summary>
    Training,

    /// <summary>Forward only, caching nothing for a backward pass: the output's value.</summary>
    Inference,
}
