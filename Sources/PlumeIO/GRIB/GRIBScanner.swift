/// Finds GRIB messages in a byte buffer without decoding them: each starts with the
/// indicator `GRIB`, carries its total length (GRIB 1: 3 bytes at offset 4; GRIB 2:
/// 8 bytes at offset 8) and ends with `7777`. Damaged messages are reported and skipped;
/// scanning resumes at the next indicator.
enum GRIBScanner {
    struct Found {
        var offset: Int
        var length: Int
        var edition: Int
    }

    struct Damaged {
        var offset: Int
        var reason: String
    }

    static func scan(_ bytes: UnsafeRawBufferPointer) -> (messages: [Found], damaged: [Damaged]) {
        var found: [Found] = []
        var damaged: [Damaged] = []
        let n = bytes.count
        var p = 0
        while let start = nextIndicator(bytes, from: p) {
            guard start + 16 <= n else {
                damaged.append(Damaged(offset: start, reason: "file ends \(n - start) bytes after the 'GRIB' indicator (expected a complete GRIB message)"))
                break
            }
            let edition = Int(bytes[start + 7])
            var length = 0
            switch edition {
            case 1:
                length = Int(bytes[start + 4]) << 16 | Int(bytes[start + 5]) << 8 | Int(bytes[start + 6])
            case 2:
                for i in 8..<16 { length = length << 8 | Int(bytes[start + i]) }
                if length < 0 || length > 1 << 40 { length = -1 }
            default:
                damaged.append(Damaged(offset: start, reason: "edition \(edition) (expected GRIB edition 1 or 2)"))
                p = start + 4
                continue
            }
            if length < 16 || start + length > n {
                let reason = length < 16
                    ? "length field says \(length) bytes (expected at least 16)"
                    : "length field says \(length) bytes but only \(n - start) remain in the file (truncated?)"
                damaged.append(Damaged(offset: start, reason: reason))
                p = start + 4
                continue
            }
            let end = start + length
            guard bytes[end - 4] == 0x37, bytes[end - 3] == 0x37, bytes[end - 2] == 0x37, bytes[end - 1] == 0x37 else {
                damaged.append(Damaged(offset: start, reason: "no end marker '7777' where the length field (\(length) bytes) says the message ends"))
                p = start + 4
                continue
            }
            found.append(Found(offset: start, length: length, edition: edition))
            p = end
        }
        // A file cut inside the indicator of its next message ends in "G", "GR" or "GRI".
        let indicator: [UInt8] = [0x47, 0x52, 0x49]
        for k in (1...3).reversed() where n - k >= p && n >= k {
            if (0..<k).allSatisfy({ bytes[n - k + $0] == indicator[$0] }) {
                damaged.append(Damaged(offset: n - k, reason: "file ends \(k) bytes into a 'GRIB' indicator (expected a complete GRIB message)"))
                break
            }
        }
        return (found, damaged)
    }

    private static func nextIndicator(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        let n = bytes.count
        var i = from
        while i + 4 <= n {
            if bytes[i] == 0x47, bytes[i + 1] == 0x52, bytes[i + 2] == 0x49, bytes[i + 3] == 0x42 { return i }
            i += 1
        }
        return nil
    }
}
