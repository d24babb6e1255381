/// The sum of `values` with Neumaier's compensation: exact to about one rounding of the
/// result, whatever the order and magnitudes, where a plain sum of n terms can lose n
/// roundings. Mass budgets (global tracer and air masses, flux totals) use it.
public func compensatedSum<S: Sequence>(_ values: S) -> Double where S.Element == Double {
    var sum = 0.0, compensation = 0.0
    for v in values {
        let t = sum + v
        if abs(sum) >= abs(v) { compensation += (sum - t) + v } else { compensation += (v - t) + sum }
        sum = t
    }
    return sum + compensation
}
