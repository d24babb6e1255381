/// PyTorch's default initialisation of linear and convolution layers: weights and biases
/// uniform in ±1/√fanIn (`kaiming_uniform_(a=√5)` reduces to this bound).
enum Initialization {
    static func uniform(_ shape: [Int], bound: Double, generator: Generator?) throws(TorchError) -> Tensor {
        let u = try Tensor.rand(shape, generator: generator)
        return try (u * (2 * bound) - bound).detach()
    }

    static func fanInBound(_ fanIn: Int) -> Double { fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0 }
}
