import CTorch

/// Operation codes of `ct_unary` (see ctorch.h).
enum UnaryOp: Int32 {
    case neg = 0, abs, exp, log, sqrt, rsqrt, sin, cos, tanh, sigmoid, relu, gelu, geluTanh, silu, square
    case reciprocal, floor, ceil, round, sign, logicalNot, log1p, expm1, erf, isnan, isfinite, softplus
    case tan, asin, acos, atan, sinh, cosh, real, imag, conj, angle, viewAsReal, viewAsComplex, mish
}

extension Tensor {
    func unary(_ op: UnaryOp) throws(TorchError) -> Tensor {
        try produce("\(op)(\(shape))") { ct_unary(op.rawValue, handle, $0) }
    }

    public func abs() throws(TorchError) -> Tensor { try unary(.abs) }
    public func exp() throws(TorchError) -> Tensor { try unary(.exp) }
    public func log() throws(TorchError) -> Tensor { try unary(.log) }
    public func log1p() throws(TorchError) -> Tensor { try unary(.log1p) }
    public func expm1() throws(TorchError) -> Tensor { try unary(.expm1) }
    public func sqrt() throws(TorchError) -> Tensor { try unary(.sqrt) }
    public func rsqrt() throws(TorchError) -> Tensor { try unary(.rsqrt) }
    public func square() throws(TorchError) -> Tensor { try unary(.square) }
    public func reciprocal() throws(TorchError) -> Tensor { try unary(.reciprocal) }
    public func sin() throws(TorchError) -> Tensor { try unary(.sin) }
    public func cos() throws(TorchError) -> Tensor { try unary(.cos) }
    public func tan() throws(TorchError) -> Tensor { try unary(.tan) }
    public func asin() throws(TorchError) -> Tensor { try unary(.asin) }
    public func acos() throws(TorchError) -> Tensor { try unary(.acos) }
    public func atan() throws(TorchError) -> Tensor { try unary(.atan) }
    public func sinh() throws(TorchError) -> Tensor { try unary(.sinh) }
    public func cosh() throws(TorchError) -> Tensor { try unary(.cosh) }
    public func tanh() throws(TorchError) -> Tensor { try unary(.tanh) }
    public func erf() throws(TorchError) -> Tensor { try unary(.erf) }
    public func floor() throws(TorchError) -> Tensor { try unary(.floor) }
    public func ceil() throws(TorchError) -> Tensor { try unary(.ceil) }
    public func round() throws(TorchError) -> Tensor { try unary(.round) }
    public func sign() throws(TorchError) -> Tensor { try unary(.sign) }
    public func logicalNot() throws(TorchError) -> Tensor { try unary(.logicalNot) }
    public func isNaN() throws(TorchError) -> Tensor { try unary(.isnan) }
    public func isFinite() throws(TorchError) -> Tensor { try unary(.isfinite) }

    // MARK: Activations

    public func relu() throws(TorchError) -> Tensor { try unary(.relu) }
    public func sigmoid() throws(TorchError) -> Tensor { try unary(.sigmoid) }
    public func silu() throws(TorchError) -> Tensor { try unary(.silu) }
    public func mish() throws(TorchError) -> Tensor { try unary(.mish) }
    public func softplus() throws(TorchError) -> Tensor { try unary(.softplus) }
    /// GELU, exact (erf) or with PyTorch's tanh approximation.
    public func gelu(approximateTanh: Bool = false) throws(TorchError) -> Tensor {
        try unary(approximateTanh ? .geluTanh : .gelu)
    }
    public func leakyReLU(negativeSlope: Double = 0.01) throws(TorchError) -> Tensor {
        try produce("leakyReLU") { ct_leaky_relu(handle, negativeSlope, $0) }
    }
    public func elu(alpha: Double = 1) throws(TorchError) -> Tensor {
        try produce("elu") { ct_elu(handle, alpha, $0) }
    }
    public func softmax(dim: Int) throws(TorchError) -> Tensor {
        try produce("softmax(dim: \(dim))") { ct_softmax(handle, Int64(dim), $0) }
    }
    public func logSoftmax(dim: Int) throws(TorchError) -> Tensor {
        try produce("logSoftmax(dim: \(dim))") { ct_log_softmax(handle, Int64(dim), $0) }
    }

    // MARK: Complex

    public func real() throws(TorchError) -> Tensor { try unary(.real) }
    public func imag() throws(TorchError) -> Tensor { try unary(.imag) }
    public func conj() throws(TorchError) -> Tensor { try unary(.conj) }
    public func angle() throws(TorchError) -> Tensor { try unary(.angle) }
    /// A complex tensor as real with a trailing dimension of 2 (real, imaginary).
    public func viewAsReal() throws(TorchError) -> Tensor { try unary(.viewAsReal) }
    /// A real tensor with a trailing dimension of 2 as complex.
    public func viewAsComplex() throws(TorchError) -> Tensor { try unary(.viewAsComplex) }
}
