import CPlumeKernels

/// The packing of a `grid_simple` message without bitmap (GRIB 1 simple packing, GRIB 2
/// data representation template 5.0), read once when the file is indexed so that its
/// values can be unpacked straight from the mapped bytes, without keeping or re-creating
/// an ecCodes handle. The arithmetic is ecCodes' own (`grib_decode_double_array`):
/// `((X · 2^E) + R) · 10^−D` in double precision, `R` when there are 0 bits per value, so
/// the values are the same, bit for bit, as `codes_get_double_array` returns.
struct GRIBSimplePacking: Sendable, Equatable {
    /// Byte offset of the first packed value from the start of the message (`offsetBeforeData`).
    var dataOffset: Int
    var bitsPerValue: Int
    var count: Int
    var referenceValue: Double
    /// `2^E` and `10^−D`, computed as ecCodes' `grib_power` does.
    var binaryScale: Double
    var decimalScale: Double

    /// The packing of the message behind `h`, or nil when the message is anything else
    /// (other packing, a bitmap, more than 32 bits per value, counts that do not match
    /// `numberOfPoints`, packed bits running past the message): those are decoded by ecCodes.
    /// `packingType` is the message's, read already (evaluating it costs ecCodes ~3 µs).
    static func read(_ h: ECCodesHandle, packingType: String, numberOfPoints: Int, messageLength: Int) -> GRIBSimplePacking? {
        guard packingType == "grid_simple", (h.long("bitmapPresent") ?? 0) == 0,
              let bits = h.long("bitsPerValue"), (0...32).contains(bits),
              let count = h.long("numberOfCodedValues"), count == numberOfPoints,
              let offset = h.long("offsetBeforeData"), offset > 0,
              let reference = h.double("referenceValue"), reference.isFinite,
              let e = h.long("binaryScaleFactor"), abs(e) <= 1 << 16,
              let d = h.long("decimalScaleFactor"), abs(d) <= 1 << 16
        else { return nil }
        // The packed bits must lie inside the message, before its end marker "7777".
        guard offset + (count * bits + 7) / 8 <= messageLength - 4 else { return nil }
        return GRIBSimplePacking(dataOffset: offset, bitsPerValue: bits, count: count, referenceValue: reference,
                                 binaryScale: power(e, 2), decimalScale: power(-d, 10))
    }

    /// Whether float32 holds every value this packing can produce (`GRIBPrecision`).
    var fitsFloat32: Bool {
        !GRIBPrecision.needsFloat64(bitsPerValue: bitsPerValue, reference: referenceValue,
                                    binaryScale: binaryScale, decimalScale: decimalScale)
    }

    /// ecCodes' `grib_power(s, n)`: `n^s` by repeated multiplication or division.
    static func power(_ s: Int, _ n: Double) -> Double {
        if s == 0 { return 1 }
        if s == 1 { return n }
        var result = 1.0
        var s = s
        while s < 0 { result /= n; s += 1 }
        while s > 0 { result *= n; s -= 1 }
        return result
    }

    /// Unpacks the values of `message` (the whole message's bytes) into `out`, the k-th
    /// value to `out[order[k]]` when an order is given. Returns false, writing nothing, when
    /// the data section or `out` is too short (the caller then decodes through ecCodes).
    func unpack(_ message: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>, order: [Int]?) -> Bool {
        guard out.count >= count, dataOffset + (count * bitsPerValue + 7) / 8 <= message.count,
              (order?.count ?? count) >= count else { return false }
        if bitsPerValue == 0 {
            let v = Float(referenceValue)  // ecCodes: every value is the reference value
            if let order {
                for k in 0..<count { out[order[k]] = v }
            } else {
                for k in 0..<count { out[k] = v }
            }
            return true
        }
        guard let base = message.baseAddress, let outBase = out.baseAddress else { return count == 0 }
        let data = base.advanced(by: dataOffset).assumingMemoryBound(to: UInt8.self)
        let length = message.count - dataOffset
        let unpacked: Int32
        if let order {
            unpacked = order.withUnsafeBufferPointer { o in
                plume_unpack_simple(data, length, count, Int32(bitsPerValue), referenceValue, binaryScale, decimalScale,
                                    outBase, o.baseAddress)
            }
        } else {
            unpacked = plume_unpack_simple(data, length, count, Int32(bitsPerValue), referenceValue, binaryScale,
                                           decimalScale, outBase, nil)
        }
        guard unpacked == 1 else { return false }
        return true
    }
}
