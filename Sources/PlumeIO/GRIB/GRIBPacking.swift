import Foundation

/// How `GRIBWriter` packs values: simple packing (`grid_simple`) or CCSDS (`grid_ccsds`,
/// lossless compression of the same quantised integers, ecCodes built with libaec) with
/// `bitsPerValue` bits per value.
///
/// With b bits ecCodes picks the binary scale factor E so that the field's range fits in
/// 2^b − 1 steps of 2^E: values come back within 2^E / 2 of what was written, where
/// 2^E is the smallest power of two ≥ range / (2^b − 1).
public struct GRIBPacking: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        case simple = "grid_simple"
        case ccsds = "grid_ccsds"
    }

    public var method: Method
    /// 1…32.
    public var bitsPerValue: Int

    public init(method: Method = .simple, bitsPerValue: Int = 16) {
        self.method = method
        self.bitsPerValue = bitsPerValue
    }

    /// Simple packing, 16 bits by default.
    public static func simple(bitsPerValue: Int = 16) -> GRIBPacking { GRIBPacking(method: .simple, bitsPerValue: bitsPerValue) }

    /// CCSDS packing, 16 bits by default.
    public static func ccsds(bitsPerValue: Int = 16) -> GRIBPacking { GRIBPacking(method: .ccsds, bitsPerValue: bitsPerValue) }

    /// The quantisation step 2^E of a field spanning `range` (max − min) at this packing: the
    /// written values are within half of it of the given ones (0 for a constant field).
    public func step(range: Double) -> Double {
        guard range > 0, range.isFinite else { return 0 }
        let levels = Double((1 << UInt64(max(1, min(bitsPerValue, 62)))) - 1)
        return exp2((log2(range / levels)).rounded(.up))
    }
}
