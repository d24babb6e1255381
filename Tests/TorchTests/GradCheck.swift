import Testing
import Torch

// A reusable gradient check: analytic gradients from libtorch's autograd against central
// finite differences, in float64.
//
//     try gradcheck("add", [.random([2, 3], seed: 1), .random([3], seed: 2)]) { x in try x[0] + x[1] }
//
// For inputs x₁…xₖ and an op f, the check builds the scalar L = Σ f(x) ⊙ R with a fixed
// random weight R of f's output shape (so every output element matters, with a different
// weight), then compares
//   analytic: ∂L/∂xᵢ from `L.backward()` on leaf tensors that require gradients, with
//   numeric:  (L(xᵢⱼ + ε) − L(xᵢⱼ − ε)) / 2ε for every element j of every input i, where
//             each evaluation rebuilds the inputs from perturbed Swift arrays and runs f
//             under `Torch.withoutGrad`, and L is summed in Swift,
// elementwise with |a − n| ≤ atol + rtol·|n|.

/// Deterministic pseudo-random numbers (GradCheckRNG), so every check sees the same values.
struct GradCheckRNG {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }
}

/// One input of a gradient check: row-major float64 values and a shape.
struct GradInput {
    var values: [Double]
    var shape: [Int]

    init(_ values: [Double], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        self.values = values
        self.shape = shape
    }

    /// Uniform in [lo, hi).
    static func random(_ shape: [Int], seed: UInt64, in range: ClosedRange<Double> = -1...1) -> GradInput {
        var g = GradCheckRNG(seed: seed)
        let n = shape.reduce(1, *)
        return GradInput((0..<n).map { _ in g.uniform(range.lowerBound, range.upperBound) }, shape: shape)
    }

    /// Positive, in [lo, hi) (log, sqrt, pow with a real exponent …).
    static func positive(_ shape: [Int], seed: UInt64, in range: ClosedRange<Double> = 0.5...2) -> GradInput {
        random(shape, seed: seed, in: range)
    }

    /// Random sign, magnitude in `magnitude`: away from the kink at 0 (abs, relu, l1 …).
    static func awayFromZero(_ shape: [Int], seed: UInt64, magnitude: ClosedRange<Double> = 0.2...1.5) -> GradInput {
        var g = GradCheckRNG(seed: seed)
        let n = shape.reduce(1, *)
        let values = (0..<n).map { _ -> Double in
            let m = g.uniform(magnitude.lowerBound, magnitude.upperBound)
            return g.next() & 1 == 0 ? m : -m
        }
        return GradInput(values, shape: shape)
    }

    /// Pairwise distinct values at least `spacing` apart, shuffled (no ties for max, min,
    /// sort, max pooling).
    static func distinct(_ shape: [Int], seed: UInt64, spacing: Double = 0.1) -> GradInput {
        var g = GradCheckRNG(seed: seed)
        let n = shape.reduce(1, *)
        var values = (0..<n).map { (Double($0) - Double(n) / 2) * spacing + g.uniform(0, spacing / 4) }
        for i in stride(from: n - 1, to: 0, by: -1) {
            values.swapAt(i, Int(g.next() % UInt64(i + 1)))
        }
        return GradInput(values, shape: shape)
    }

    func tensor(requiresGrad: Bool) throws -> Tensor {
        let t = try Tensor(values, shape: shape)
        if requiresGrad { try t.requiresGrad(true) }
        return t
    }
}

/// What one gradient check found, for extra assertions (known analytic values).
struct GradCheckResult {
    /// Analytic gradient of L with respect to each input (row-major).
    var analytic: [[Double]]
    /// Central-difference gradient of L with respect to each input.
    var numeric: [[Double]]
    /// The weight R of L = Σ f(x) ⊙ R (row-major, f's output shape).
    var weight: [Double]
    var outputShape: [Int]
    /// Largest |a − n| over all inputs.
    var maxAbsError: Double
}

/// Checks libtorch's gradients of `f` against central differences (see the top of this file).
/// Mismatches are recorded as test issues naming `name`, the input and the element.
@discardableResult
func gradcheck(
    _ name: String, _ inputs: [GradInput], eps: Double = 1e-6, atol: Double = 1e-6, rtol: Double = 1e-5,
    weightSeed: UInt64 = 0xC0FFEE, sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) throws -> Tensor
) throws -> GradCheckResult {
    // Analytic: L = Σ f(x) ⊙ R, backward to the leaves.
    let leaves = try inputs.map { try $0.tensor(requiresGrad: true) }
    let out = try f(leaves)
    #expect(out.dtype == .float64, "\(name): output dtype is \(out.dtype), expected float64", sourceLocation: sourceLocation)
    let outputShape = out.shape
    var g = GradCheckRNG(seed: weightSeed)
    let weight = (0..<out.count).map { _ in g.uniform(-1, 1) }
    let loss = try (out * Tensor(weight, shape: outputShape)).sum()
    try loss.backward()
    var analytic: [[Double]] = []
    for (i, leaf) in leaves.enumerated() {
        if let grad = leaf.grad {
            #expect(grad.shape == inputs[i].shape, "\(name): grad of input \(i) has shape \(grad.shape), input \(inputs[i].shape)",
                    sourceLocation: sourceLocation)
            analytic.append(try grad.toArray(of: Double.self))
        } else {
            analytic.append([Double](repeating: 0, count: inputs[i].values.count))
        }
    }

    // Numeric: central differences, one element at a time, without autograd.
    func lossValue(_ xs: [GradInput]) throws -> Double {
        try Torch.withoutGrad { () throws -> Double in
            let o = try f(xs.map { try $0.tensor(requiresGrad: false) })
            guard o.shape == outputShape else {
                throw TorchError(operation: "gradcheck(\(name))", message: "output shape changed to \(o.shape) from \(outputShape)")
            }
            let values = try o.toArray(of: Double.self)
            var s = 0.0
            for k in values.indices { s += values[k] * weight[k] }
            return s
        }
    }
    var numeric: [[Double]] = []
    var maxAbsError = 0.0
    for i in inputs.indices {
        var perturbed = inputs
        var column = [Double](repeating: 0, count: inputs[i].values.count)
        for j in column.indices {
            let x = inputs[i].values[j]
            perturbed[i].values[j] = x + eps
            let plus = try lossValue(perturbed)
            perturbed[i].values[j] = x - eps
            let minus = try lossValue(perturbed)
            perturbed[i].values[j] = x
            column[j] = (plus - minus) / (2 * eps)
        }
        numeric.append(column)

        var mismatches: [String] = []
        for j in column.indices {
            let a = analytic[i][j], n = column[j]
            let error = Swift.abs(a - n)
            maxAbsError = Swift.max(maxAbsError, error.isNaN ? .infinity : error)
            if !(error <= atol + rtol * Swift.abs(n)) { mismatches.append("[\(j)] analytic \(a) numeric \(n)") }
        }
        if !mismatches.isEmpty {
            let examples = mismatches.prefix(6).joined(separator: ", ")
            Issue.record(
                "\(name): gradient of input \(i) (shape \(inputs[i].shape)) differs at \(mismatches.count) of \(column.count) elements: \(examples)",
                sourceLocation: sourceLocation)
        }
    }
    return GradCheckResult(analytic: analytic, numeric: numeric, weight: weight, outputShape: outputShape, maxAbsError: maxAbsError)
}

/// The analytic gradient of Σ f(x) (weight 1 everywhere) for known closed forms.
func gradientOfSum(_ inputs: [GradInput], _ f: ([Tensor]) throws -> Tensor) throws -> [[Double]] {
    let leaves = try inputs.map { try $0.tensor(requiresGrad: true) }
    try f(leaves).sum().backward()
    return try leaves.enumerated().map { i, leaf in
        try leaf.grad?.toArray(of: Double.self) ?? [Double](repeating: 0, count: inputs[i].values.count)
    }
}

/// Elementwise |a − b| ≤ tolerance, with one readable issue on failure.
func expectGradClose(_ a: [Double], _ b: [Double], tolerance: Double = 1e-12, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard a.count == b.count else {
        Issue.record("\(what): \(a.count) values, expected \(b.count)", sourceLocation: sourceLocation)
        return
    }
    let bad = a.indices.filter { !(Swift.abs(a[$0] - b[$0]) <= tolerance) }
    if !bad.isEmpty {
        Issue.record("\(what): differs at \(bad.count) elements, e.g. [\(bad[0])] \(a[bad[0]]) vs \(b[bad[0]])",
                     sourceLocation: sourceLocation)
    }
}

/// An int64 tensor (indices, targets).
func int64Tensor(_ values: [Int64], shape: [Int]? = nil) throws -> Tensor {
    try Tensor(values, shape: shape ?? [values.count])
}

/// A bool tensor (masks, conditions).
func boolTensor(_ values: [Bool], shape: [Int]) throws -> Tensor {
    try Tensor(values, shape: shape)
}
