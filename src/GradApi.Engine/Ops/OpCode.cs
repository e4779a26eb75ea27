namespace GradApi.Engine.Ops;

/// <summary>The ops of the wire contract. The numbers index <see cref="OpTable"/>.</summary>
public enum OpCode : byte
{
    Input,
    Const,
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    Inv,
    Pow,
    Exp,
    Log,
    Sqrt,
    Sigmoid,
    Tanh,
    Relu,
    Abs,
    Sin,
    Cos,
    Max,
    Min,
}
