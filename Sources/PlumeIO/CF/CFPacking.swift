/// CF "packed data" and missing-value conventions of one variable: `scale_factor`,
/// `add_offset`, `_FillValue`, `missing_value`, `valid_range`/`valid_min`/`valid_max`
/// and `_Unsigned`. Decoding turns stored values into physical values with every
/// missing or invalid value as NaN.
public struct CFPacking: Sendable, Equatable {
    public var scaleFactor: Double?
    public var addOffset: Double?
    /// Stored values that mean "missing" (`_FillValue`, or the type's default fill, and `missing_value`).
    public var missingValues: [Double]
    public var validMin: Double?
    public var validMax: Double?
    /// Bits of a signed integer type to be read as unsigned (`_Unsigned = "true"`), else nil.
    public var unsignedBits: Int?

    /// Reads the conventions from a variable's attributes; `defaultFill` is the storage
    /// type's default fill value, used when `_FillValue` is absent.
    public init(attributes: [Attribute], dataType: DataType, defaultFill: Double?) {
        scaleFactor = attributes["scale_factor"]?.double
        addOffset = attributes["add_offset"]?.double
        var missing: [Double] = []
        if let fill = attributes["_FillValue"]?.double {
            missing.append(fill)
        } else if let fill = defaultFill, dataType != .int8, dataType != .uint8 {
            // CF: the default fill of byte types is not treated as missing.
            missing.append(fill)
        }
        missing += attributes["missing_value"]?.doubles ?? []
        missingValues = missing.filter { !$0.isNaN }
        if let range = attributes["valid_range"]?.doubles, range.count == 2 {
            validMin = range[0]
            validMax = range[1]
        } else {
            validMin = attributes["valid_min"]?.double
            validMax = attributes["valid_max"]?.double
        }
        if attributes["_Unsigned"]?.text?.lowercased() == "true" {
            switch dataType {
            case .int8: unsignedBits = 8
            case .int16: unsignedBits = 16
            case .int32: unsignedBits = 32
            default: unsignedBits = nil
            }
        } else {
            unsignedBits = nil
        }
    }

    /// Whether decoding changes stored values beyond marking missing ones.
    public var isPacked: Bool { scaleFactor != nil || addOffset != nil || unsignedBits != nil }

    /// Decodes stored values in place: missing/invalid → NaN, then `value × scale + offset`.
    ///
    /// One pass over the values; the common cases (no `_Unsigned`, at most one missing
    /// value) run as a branch-free, vectorised loop.
    public func decode(_ values: inout [Double]) {
        // Nothing to mark or scale (a float variable whose _FillValue is NaN): values stay
        // as stored, without a pass over them.
        if !isPacked && missingValues.isEmpty && validMin == nil && validMax == nil { return }
        let scale = scaleFactor ?? 1
        let offset = addOffset ?? 0
        let lo = validMin ?? -.infinity
        let hi = validMax ?? .infinity
        values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let n = buffer.count
            if unsignedBits == nil && missingValues.count <= 1 {
                Self.decodeVectorised(base, n, scale: scale, offset: offset, lo: lo, hi: hi, missing: missingValues.first)
                return
            }
            let wrap = unsignedBits.map { Double(UInt64(1) << UInt64($0)) }
            let missing = missingValues
            for i in 0..<n {
                var v = base[i]
                if let wrap, v < 0 { v += wrap }
                if missing.contains(v) || v < lo || v > hi {
                    base[i] = .nan
                } else {
                    base[i] = v * scale + offset
                }
            }
        }
    }

    /// `decode` without `_Unsigned` and with at most one missing value. A NaN stays NaN
    /// (it is neither missing nor out of range, and NaN × scale + offset is NaN). The loop
    /// has no branches once compiled (selects), so LLVM vectorises it.
    private static func decodeVectorised(
        _ base: UnsafeMutablePointer<Double>, _ n: Int, scale: Double, offset: Double, lo: Double, hi: Double, missing: Double?
    ) {
        if missing == nil && lo == -.infinity && hi == .infinity {
            // Scale and offset only (the common packed case): NaN stays NaN.
            for i in 0..<n { base[i] = base[i] * scale + offset }
            return
        }
        // Without a missing value, compare against NaN: never equal.
        let m = missing ?? .nan
        for i in 0..<n {
            let v = base[i]
            let bad = (v < lo) || (v > hi) || (v == m)
            base[i] = bad ? .nan : v * scale + offset
        }
    }

    /// Marks missing and invalid values as NaN in unpacked `Float` data (no scale or offset).
    public func maskMissing(_ values: inout [Float]) {
        let lo = validMin.map(Float.init) ?? -.infinity
        let hi = validMax.map(Float.init) ?? .infinity
        let missing = missingValues.map(Float.init)
        if missing.isEmpty && validMin == nil && validMax == nil { return }
        values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let n = buffer.count
            if missing.count <= 1 {
                let m = missing.first ?? .nan
                for i in 0..<n {
                    let v = base[i]
                    let bad = (v < lo) || (v > hi) || (v == m)
                    base[i] = bad ? .nan : v
                }
                return
            }
            for i in 0..<n {
                let v = base[i]
                if missing.contains(v) || v < lo || v > hi { base[i] = .nan }
            }
        }
    }
}
