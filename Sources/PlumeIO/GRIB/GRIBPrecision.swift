/// Whether float32 holds the values a GRIB message packs without losing any of them.
///
/// Packed GRIB values are (R + X·2^E)·10^−D with integers X of `bitsPerValue` bits: they are
/// resolved to the packing step q = 2^E·10^−D. float32 keeps every packed value apart (each
/// within q/2 of its exact value, so X is recoverable) when its spacing at the largest value
/// the packing can produce, max(|R|, |R + (2^bits − 1)·2^E|)·10^−D, is at most q/2. 24-bit
/// packing of temperature or pressure usually needs more: such fields are held in float64.
/// A field of 0 bits is one constant, kept in float32 when float32 represents it exactly.
/// IEEE packing holds float32 (precision 1) or float64 (precision 2) values as they are.
/// Other packings (spectral, second-order without these keys) stay float32.
enum GRIBPrecision {
    /// True when the message's values need float64.
    /// - Parameters: the message's `packingType`, `bitsPerValue`, `binaryScaleFactor` E,
    ///   `decimalScaleFactor` D, `referenceValue` R and, for IEEE packing, `precision`.
    static func needsFloat64(packingType: String, bitsPerValue: Int?, binaryScaleFactor: Int?, decimalScaleFactor: Int?,
                             referenceValue: Double?, precision: Int?) -> Bool {
        if packingType.hasPrefix("grid_ieee") { return (precision ?? 1) >= 2 }
        guard let bits = bitsPerValue, (0...64).contains(bits), let e = binaryScaleFactor, abs(e) <= 1 << 16,
              let d = decimalScaleFactor, abs(d) <= 1 << 16, let r = referenceValue, r.isFinite else { return false }
        return needsFloat64(bitsPerValue: bits, reference: r, binaryScale: GRIBSimplePacking.power(e, 2),
                            decimalScale: GRIBSimplePacking.power(-d, 10))
    }

    /// The rule with the scales already computed (`2^E`, `10^−D`, as ecCodes computes them).
    static func needsFloat64(bitsPerValue bits: Int, reference r: Double, binaryScale: Double, decimalScale: Double) -> Bool {
        if bits == 0 {
            let constant = r * decimalScale
            return Double(Float(constant)) != constant
        }
        let step = binaryScale * decimalScale
        let top = r + Double((1 << min(bits, 62)) - 1) * binaryScale
        let largest = max(abs(r), abs(top)) * decimalScale
        guard largest.isFinite, step.isFinite, step > 0 else { return false }
        return Double(Float(largest).ulp) > step / 2
    }
}
