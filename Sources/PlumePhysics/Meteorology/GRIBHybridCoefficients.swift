import Foundation
import PlumeIO

/// The hybrid-level coefficients (`pv`: the half-level A in Pa, then B) of a GRIB message,
/// read from the message's bytes: PlumeIO's message keys do not carry them.
///
/// GRIB 1: section 2 (GDS) octet 4 holds NV, octet 5 the octet where the list starts
/// (PVL); the values are IBM single-precision floats. GRIB 2: section 4 octets 6–7 hold NV
/// and the values close the section as IEEE single-precision floats. Both big-endian.
enum GRIBHybridCoefficients {
    /// Half-level coefficients, top first: `a[i]`, Pa, and `b[i]` for i = 0…N (N levels).
    struct HalfLevels: Sendable, Equatable {
        var a: [Double]
        var b: [Double]
    }

    /// Reads the coefficients of `message` in the file at `path`.
    static func read(path: String, message: GRIBMessage) throws(TransportError) -> HalfLevels {
        let context = "\(path): \(message.shortName) (message \(message.index))"
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .invalidValue(name: context, reason: "cannot open the file again to read the pv coefficients")
        }
        defer { try? handle.close() }
        let bytes: [UInt8]
        do {
            try handle.seek(toOffset: UInt64(message.offset))
            bytes = [UInt8](try handle.read(upToCount: message.length) ?? Data())
        } catch {
            throw .invalidValue(name: context, reason: "cannot read the message bytes: \(error)")
        }
        guard bytes.count == message.length else {
            throw .invalidValue(name: context, reason: "message is truncated (\(bytes.count) of \(message.length) bytes)")
        }
        let values: [Double]
        switch message.edition {
        case 1: values = try edition1(bytes, context: context)
        case 2: values = try edition2(bytes, context: context)
        default: throw .invalidValue(name: context, reason: "GRIB edition \(message.edition) (expected 1 or 2)")
        }
        guard values.count >= 4, values.count % 2 == 0 else {
            throw .invalidValue(name: context, reason: "hybrid levels without usable pv coefficients: \(values.count) values "
                + "(expected 2·(N + 1) ≥ 4: the half-level A in Pa, then B)")
        }
        let half = values.count / 2
        let result = HalfLevels(a: Array(values[0..<half]), b: Array(values[half...]))
        for (i, value) in result.a.enumerated() where !(value.isFinite && value >= 0) {
            throw .invalidValue(name: context, reason: "pv A[\(i)] = \(value) (expected a finite pressure ≥ 0 Pa)")
        }
        for (i, value) in result.b.enumerated() where !(value >= 0 && value <= 1) {
            throw .invalidValue(name: context, reason: "pv B[\(i)] = \(value) (expected a value in [0, 1])")
        }
        return result
    }

    private static func unsigned(_ bytes: [UInt8], _ at: Int, _ count: Int) -> Int {
        var v = 0
        for i in 0..<count { v = v << 8 | Int(bytes[at + i]) }
        return v
    }

    static func edition1(_ bytes: [UInt8], context: String) throws(TransportError) -> [Double] {
        // Section 0: 8 octets; section 1 (PDS) length in its octets 1–3, flags in octet 8.
        guard bytes.count >= 8 + 8 else { throw .invalidValue(name: context, reason: "GRIB 1 message too short for its PDS") }
        let pdsLength = unsigned(bytes, 8, 3)
        let flags = bytes[8 + 7]
        guard flags & 0x80 != 0 else {
            throw .invalidValue(name: context, reason: "GRIB 1 message without a GDS: hybrid levels without pv coefficients")
        }
        let gds = 8 + pdsLength
        guard pdsLength >= 28, gds + 6 <= bytes.count else { throw .invalidValue(name: context, reason: "GRIB 1 PDS length \(pdsLength) is inconsistent") }
        let gdsLength = unsigned(bytes, gds, 3)
        let nv = Int(bytes[gds + 3]), location = Int(bytes[gds + 4])
        guard nv > 0, location != 255, location >= 1 else { return [] }
        let start = gds + location - 1
        guard gds + gdsLength <= bytes.count, start + 4 * nv <= gds + gdsLength else {
            throw .invalidValue(name: context, reason: "GRIB 1 GDS: \(nv) pv values at octet \(location) do not fit its \(gdsLength) octets")
        }
        return (0..<nv).map { ibmFloat(bytes, start + 4 * $0) }
    }

    static func edition2(_ bytes: [UInt8], context: String) throws(TransportError) -> [Double] {
        var offset = 16
        while offset + 5 <= bytes.count {
            if bytes[offset] == 0x37, offset + 4 <= bytes.count, bytes[offset + 1] == 0x37, bytes[offset + 2] == 0x37, bytes[offset + 3] == 0x37 { break }
            let length = unsigned(bytes, offset, 4), number = bytes[offset + 4]
            guard length >= 5, offset + length <= bytes.count else {
                throw .invalidValue(name: context, reason: "GRIB 2 section at octet \(offset + 1) has length \(length), beyond the message")
            }
            if number == 4 {
                guard length >= 9 else { throw .invalidValue(name: context, reason: "GRIB 2 section 4 is too short (\(length) octets)") }
                let nv = unsigned(bytes, offset + 5, 2)
                guard nv > 0 else { return [] }
                guard 4 * nv <= length - 9 else {
                    throw .invalidValue(name: context, reason: "GRIB 2 section 4 claims \(nv) pv values, more than its \(length) octets hold")
                }
                let start = offset + length - 4 * nv
                return (0..<nv).map { i in
                    Double(Float(bitPattern: UInt32(truncatingIfNeeded: unsigned(bytes, start + 4 * i, 4))))
                }
            }
            offset += length
        }
        throw .invalidValue(name: context, reason: "GRIB 2 message without a section 4 (expected the product definition with pv)")
    }

    /// An IBM System/360 single-precision float: sign, base-16 exponent biased by 64, 24-bit fraction.
    static func ibmFloat(_ bytes: [UInt8], _ at: Int) -> Double {
        let sign: Double = bytes[at] & 0x80 != 0 ? -1 : 1
        let exponent = Int(bytes[at] & 0x7F) - 64
        let mantissa = Double(unsigned(bytes, at + 1, 3)) / 16_777_216
        return sign * mantissa * pow(16, Double(exponent))
    }
}
