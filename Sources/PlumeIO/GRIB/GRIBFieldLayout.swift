/// Where the fields of one GRIB message lie in its bytes.
///
/// A GRIB 2 message can hold several fields: after sections 0 and 1, sections 2 to 7 may
/// repeat (NCEP writes u and v wind in one message: sections 4–7 twice after one grid
/// section 3). Each section starts with its length (4 bytes) and number (1 byte), so the
/// fields are found by walking the sections, as ecCodes does with multi-field support on:
/// a field is complete at each section 7, with the latest section 1, 2, 3, 4, 5 and 6
/// seen before it; a bitmap section whose indicator is 254 ("the bitmap defined before
/// applies") stands for the latest bitmap section of the message that holds a bitmap.
///
/// A message of one field in the usual order is read as it is, from the mapped file; each
/// field of a multi-field message becomes a single-field message of its own sections
/// (`singleFieldMessage`), as ecCodes builds them.
struct GRIBFieldLayout: Sendable, Equatable {
    /// Absolute byte ranges, in order, whose concatenation (with a new section 0 and the end
    /// marker) is the field's message: sections 1, 2 (when present), 3, 4, 5, 6 and 7.
    var sections: [Range<Int>]

    /// Byte length of the single-field message: section 0 (16), the sections, "7777" (4).
    var length: Int { 16 + sections.reduce(0) { $0 + $1.count } + 4 }

    /// The outcome of walking one message's sections.
    struct Walk {
        /// Every complete field, in order; empty when the message's structure could not be
        /// walked at all (ecCodes then judges the whole message).
        var fields: [GRIBFieldLayout]
        /// True when the message holds exactly one field with its sections in the usual
        /// order, so that its bytes can be used as they are.
        var isPlainSingleField: Bool
        /// What stopped the walk before the end marker, when something did; fields found
        /// before it are still listed.
        var problem: String?
    }

    /// Walks the sections of the GRIB 2 message at `bytes[offset..<offset + length]`.
    static func walk(_ bytes: UnsafeRawBufferPointer, offset: Int, length: Int) -> Walk {
        let end = offset + length - 4  // start of "7777"
        var latest = [Range<Int>?](repeating: nil, count: 8)
        var lastBitmap: Range<Int>?
        var fields: [GRIBFieldLayout] = []
        var order: [Int] = []
        var p = offset + 16
        func u32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        var problem: String?
        while p < end {
            guard p + 5 <= end else {
                problem = "\(end - p) stray bytes before the end marker at byte \(p - offset) of the message"
                break
            }
            let sectionLength = u32(p)
            let number = Int(bytes[p + 4])
            guard sectionLength >= 5, sectionLength <= end - p else {
                problem = "section \(number) at byte \(p - offset) says it is \(sectionLength) bytes long, but \(end - p) remain before the end marker"
                break
            }
            guard (1...7).contains(number) else {
                problem = "byte \(p - offset) holds section number \(number) (expected 1 to 7)"
                break
            }
            var range = p..<(p + sectionLength)
            if number == 6, sectionLength >= 6 {
                let indicator = bytes[p + 5]
                if indicator == 254 {
                    guard let previous = lastBitmap else {
                        problem = "field \(fields.count + 1) uses the bitmap defined before it (indicator 254), but the message defines none"
                        break
                    }
                    range = previous
                } else if indicator == 0 {
                    lastBitmap = range
                }
            }
            latest[number] = range
            order.append(number)
            if number == 7 {
                var sections: [Range<Int>] = []
                for s in 1...7 {
                    if let r = latest[s] {
                        sections.append(r)
                    } else if s != 2 {
                        problem = "field \(fields.count + 1) has no section \(s) before its data section"
                        break
                    }
                }
                if problem != nil { break }
                fields.append(GRIBFieldLayout(sections: sections))
            }
            p += sectionLength
        }
        if problem == nil, fields.isEmpty {
            problem = "no data section (section 7)"
        }
        let plain = problem == nil && fields.count == 1 && (order == [1, 3, 4, 5, 6, 7] || order == [1, 2, 3, 4, 5, 6, 7])
        return Walk(fields: fields, isPlainSingleField: plain, problem: problem)
    }

    /// The field as a single-field GRIB 2 message: the original section 0 with the new
    /// total length, the field's sections, "7777". `bytes` is the whole mapped file.
    func singleFieldMessage(_ bytes: UnsafeRawBufferPointer, messageOffset: Int) -> GRIBOwnedBytes {
        let total = length
        let owned = GRIBOwnedBytes(count: total)
        let out = owned.bytes
        var q = 0
        for i in 0..<8 { out[q + i] = bytes[messageOffset + i] }
        for i in 0..<8 { out[q + 8 + i] = UInt8(truncatingIfNeeded: total >> (8 * (7 - i))) }
        q = 16
        for r in sections {
            UnsafeMutableRawBufferPointer(rebasing: out[q..<(q + r.count)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[r]))
            q += r.count
        }
        for i in 0..<4 { out[q + i] = 0x37 }
        return owned
    }
}

/// Bytes Plume owns (a field of a multi-field message rebuilt as a message of its own),
/// kept alive as long as an ecCodes handle parsed from them.
final class GRIBOwnedBytes {
    let bytes: UnsafeMutableRawBufferPointer

    init(count: Int) {
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 8)
    }

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(bytes) }

    deinit { bytes.deallocate() }
}
