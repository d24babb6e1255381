/// Elementwise activation functions as layers.
public enum Activation: Sendable {
    case relu, gelu, geluTanh, silu, tanh, sigmoid
    case leakyReLU(Double)

    public func callAsFunction(_ x: Tensor) throws(TorchError) -> Tensor {
        switch self {
        case .relu: try x.relu()
        case .gelu: try x.gelu()
        case .geluTanh: try x.gelu(approximateTanh: true)
        case .silu: try x.silu()
        case .tanh: try x.tanh()
        case .sigmoid: try x.sigmoid()
        case .leakyReLU(let slope): try x.leakyReLU(negativeSlope: slope)
        }
    }
}
