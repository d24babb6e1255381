import Foundation

/// Where the data of a classic netCDF file (CDF-1, CDF-2 64-bit offset, CDF-5) must end,
/// from the variables' offsets in its header.
///
/// The netCDF library reads values past the end of a truncated classic file as zeros
/// without an error, so a cut-off weight file would silently lose its last weights;
/// comparing the file's size with this extent catches that. CDO writes weight files in
/// the classic format.
enum ClassicNetCDFExtent {
    /// The fixed-size variable whose data ends last and the byte where it ends; nil when the
    /// file is not classic netCDF, its header cannot be parsed, or it has no fixed-size data.
    static func lastVariableEnd(path: String) -> (variable: String, end: Int64)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let fileSize = (try? handle.seekToEnd()).map(Int64.init) ?? 0
        // Headers are small; read more only when the first part is not enough.
        var prefix = 1 << 16
        while true {
            try? handle.seek(toOffset: 0)
            guard let data = try? handle.read(upToCount: prefix) else { return nil }
            var parser = HeaderParser(bytes: [UInt8](data))
            switch parser.parse() {
            case .done(let result): return result
            case .invalid: return nil
            case .needMore:
                if Int64(prefix) >= fileSize || prefix >= 1 << 28 { return nil }
                prefix *= 4
            }
        }
    }

    private struct HeaderParser {
        enum Outcome { case done((variable: String, end: Int64)?), invalid, needMore }
        struct OutOfBytes: Error {}
        struct Invalid: Error {}

        let bytes: [UInt8]
        var position = 0
        var version: UInt8 = 1

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func parse() -> Outcome {
            do {
                return .done(try header())
            } catch is OutOfBytes {
                return .needMore
            } catch {
                return .invalid
            }
        }

        private mutating func header() throws -> (variable: String, end: Int64)? {
            let magic = try take(4)
            guard magic[0] == 0x43, magic[1] == 0x44, magic[2] == 0x46, [1, 2, 5].contains(magic[3]) else { return nil }
            version = magic[3]
            _ = try count()  // numrecs
            // Dimensions.
            var lengths: [Int64] = []
            for _ in 0..<(try list(tag: 10)) {
                _ = try name()
                lengths.append(try count())
            }
            try attributes()
            var last: (variable: String, end: Int64)?
            for _ in 0..<(try list(tag: 11)) {
                let varName = try name()
                let rank = try count()
                guard rank >= 0, rank <= 1024 else { throw Invalid() }
                var ids: [Int64] = []
                for _ in 0..<rank { ids.append(try count()) }
                try attributes()
                let size = try typeSize(try u32())
                _ = try count()  // vsize
                let begin = version == 1 ? Int64(try u32()) : try i64()
                // Fixed-size variables only (a record variable's first dimension has length 0).
                guard ids.allSatisfy({ $0 >= 0 && $0 < lengths.count }) else { throw Invalid() }
                let shape = ids.map { lengths[Int($0)] }
                if shape.first == 0 && !shape.isEmpty { continue }
                let end = begin + shape.reduce(Int64(size), *)
                if last == nil || end > last?.end ?? 0 { last = (varName, end) }
            }
            return last
        }

        private mutating func attributes() throws {
            for _ in 0..<(try list(tag: 12)) {
                _ = try name()
                let size = try typeSize(try u32())
                let n = try count()
                try skip(padded(n * Int64(size)))
            }
        }

        /// Element count of a tagged list (0 for ABSENT).
        private mutating func list(tag: UInt32) throws -> Int64 {
            let t = try u32()
            let n = try count()
            guard (t == 0 && n == 0) || t == tag, n >= 0, n < 1 << 24 else { throw Invalid() }
            return n
        }

        private mutating func name() throws -> String {
            let n = try count()
            guard n >= 0, n < 1 << 16 else { throw Invalid() }
            let raw = try take(Int(n))
            try skip(padded(n) - n)
            return String(decoding: raw, as: UTF8.self)
        }

        private func typeSize(_ type: UInt32) throws -> Int {
            switch type {
            case 1, 2, 7: 1
            case 3, 8: 2
            case 4, 5, 9: 4
            case 6, 10, 11: 8
            default: throw Invalid()
            }
        }

        private func padded(_ n: Int64) -> Int64 { (n + 3) / 4 * 4 }

        /// NON_NEG: 32 bits, 64 in CDF-5.
        private mutating func count() throws -> Int64 { version == 5 ? try i64() : Int64(try u32()) }

        private mutating func u32() throws -> UInt32 {
            try take(4).reduce(0) { $0 << 8 | UInt32($1) }
        }

        private mutating func i64() throws -> Int64 {
            Int64(bitPattern: try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }

        private mutating func skip(_ n: Int64) throws {
            guard n >= 0 else { throw Invalid() }
            guard Int64(position) + n <= Int64(bytes.count) else { throw OutOfBytes() }
            position += Int(n)
        }

        private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard position + n <= bytes.count else { throw OutOfBytes() }
            defer { position += n }
            return bytes[position..<(position + n)]
        }
    }
}
