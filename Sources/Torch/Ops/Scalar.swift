import CTorch

/// A number passed to libtorch as a `c10::Scalar`.
@inline(__always) func cScalar(_ x: Double) -> ct_scalar { ct_scalar(is_integral: 0, i: 0, f: x) }
@inline(__always) func cScalar(_ x: Int) -> ct_scalar { ct_scalar(is_integral: 1, i: Int64(x), f: 0) }

@inline(__always) func int64s(_ xs: [Int]) -> [Int64] { xs.map(Int64.init) }
