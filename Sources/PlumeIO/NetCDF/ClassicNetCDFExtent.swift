import Foundation

/// Where the data of each variable of a classic netCDF file (CDF-1, CDF-2 64-bit offset,
/// CDF-5) must end, from the offsets and shapes in its header.
///
/// The netCDF library reads values past the end of a truncated classic file as zeros
/// without an error, so a file cut short would silently turn its last values into zeros;
/// comparing the file's size with these extents catches that (`check(path:)`).
///
/// Fixed-size variables end at `begin + size`; record variables at
/// `begin + (numrecs − 1) · recsize + size of one record`, with `recsize` the sum of the
/// record variables' padded record sizes (unpadded when there is a single record variable,
/// as netCDF-C lays it out). A file being streamed (`numrecs` = STREAMING, all ones) has as
/// many records as its size holds; a last record cut part-way is refused as well.
package enum ClassicNetCDFExtent {
    /// The end of one variable's data.
    package struct VariableEnd: Sendable, Equatable {
        package var variable: String
        /// Byte offset of the variable's first value and one past its last.
        package var begin: Int64
        package var end: Int64
    }

    /// What the header says about the file's data.
    package struct Layout: Sendable, Equatable {
        /// Every variable with data, in header order.
        package var variables: [VariableEnd]
        /// The number of records the header gives; nil when it says STREAMING.
        package var recordCount: Int64?
        /// The number of whole records the file's size holds, for a streamed file (else
        /// `recordCount`).
        package var records: Int64
        /// Where the records start and how long each is (0 without record variables).
        package var recordsBegin: Int64
        package var recordSize: Int64
    }

    /// The first variable (in file order) whose data runs past the end of a file of
    /// `fileSize` bytes, with where it should end; nil when every variable fits.
    package static func firstCut(_ layout: Layout, fileSize: Int64) -> VariableEnd? {
        layout.variables.filter { $0.end > fileSize }.min { $0.begin < $1.begin }
    }

    /// Throws `PlumeIOError.truncated` when the classic netCDF file at `path` is shorter
    /// than its header says, and returns the layout; does nothing for files that are not
    /// classic netCDF or whose header cannot be parsed (the netCDF library reports those).
    @discardableResult
    package static func check(path: String) throws(PlumeIOError) -> Layout? {
        guard let (layout, fileSize) = read(path: path) else { return nil }
        if let cut = firstCut(layout, fileSize: fileSize) {
            throw .truncated(file: path, variable: cut.variable, expectedEnd: cut.end, fileSize: fileSize)
        }
        if layout.recordCount == nil, layout.recordSize > 0 {
            let bytes = fileSize - layout.recordsBegin
            if bytes > 0, bytes % layout.recordSize != 0 {
                let records = bytes / layout.recordSize
                let name = layout.variables.first { $0.begin >= layout.recordsBegin }?.variable ?? "records"
                throw .truncated(file: path, variable: name,
                                 expectedEnd: layout.recordsBegin + (records + 1) * layout.recordSize, fileSize: fileSize)
            }
        }
        return layout
    }

    /// The header's layout and the file's size; nil when the file is not classic netCDF or
    /// its header cannot be parsed.
    package static func read(path: String) -> (Layout, fileSize: Int64)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), let fileSize = Int64(exactly: size) else { return nil }
        // Headers are small; read more only when the first part is not enough.
        var prefix = 1 << 16
        while true {
            try? handle.seek(toOffset: 0)
            guard let data = try? handle.read(upToCount: prefix) else { return nil }
            var parser = HeaderParser(bytes: [UInt8](data), fileSize: fileSize)
            switch parser.parse() {
            case .done(let layout): return layout.map { ($0, fileSize) }
            case .invalid: return nil
            case .needMore:
                if Int64(prefix) >= fileSize || prefix >= 1 << 28 { return nil }
                prefix *= 4
            }
        }
    }

    private struct HeaderParser {
        enum Outcome { case done(Layout?), invalid, needMore }
        struct OutOfBytes: Error {}
        struct Invalid: Error {}

        let bytes: [UInt8]
        let fileSize: Int64
        var position = 0
        var version: UInt8 = 1

        init(bytes: [UInt8], fileSize: Int64) {
            self.bytes = bytes
            self.fileSize = fileSize
        }

        mutating func parse() -> Outcome {
            do {
                return .done(try header())
            } catch is OutOfBytes {
                return .needMore
            } catch {
                return .invalid
            }
        }

        private struct Entry {
            var name: String
            var shape: [Int64]
            var isRecord: Bool
            var typeSize: Int64
            var begin: Int64
        }

        private mutating func header() throws -> Layout? {
            let magic = try take(4)
            guard magic[0] == 0x43, magic[1] == 0x44, magic[2] == 0x46, [1, 2, 5].contains(magic[3]) else { return nil }
            version = magic[3]
            let rawRecords = try countBits()
            let streaming = version == 5 ? rawRecords == UInt64.max : rawRecords == 0xFFFF_FFFF
            // Dimensions (length 0 marks the record dimension).
            var lengths: [Int64] = []
            for _ in 0..<(try list(tag: 10)) {
                _ = try name()
                lengths.append(try count())
            }
            try attributes()
            var entries: [Entry] = []
            for _ in 0..<(try list(tag: 11)) {
                let varName = try name()
                let rank = try count()
                guard rank >= 0, rank <= 1024 else { throw Invalid() }
                var ids: [Int64] = []
                for _ in 0..<rank { ids.append(try count()) }
                try attributes()
                let size = Int64(try typeSize(try u32()))
                _ = try count()  // vsize: wrong for very large variables, so computed below
                let begin = version == 1 ? Int64(try u32()) : try i64()
                guard begin >= 0, ids.allSatisfy({ $0 >= 0 && $0 < lengths.count }) else { throw Invalid() }
                let shape = ids.map { lengths[Int($0)] }
                let isRecord = shape.first == 0
                entries.append(Entry(name: varName, shape: isRecord ? Array(shape.dropFirst()) : shape,
                                     isRecord: isRecord, typeSize: size, begin: begin))
            }
            // Sizes in bytes (one record's for record variables), guarded against overflow.
            func bytes(_ e: Entry) throws -> Int64 {
                var n = e.typeSize
                for d in e.shape {
                    let (product, overflow) = n.multipliedReportingOverflow(by: d)
                    guard !overflow else { throw Invalid() }
                    n = product
                }
                return n
            }
            let records = entries.filter(\.isRecord)
            var recordSize: Int64 = 0
            for e in records { recordSize += (try bytes(e) + 3) / 4 * 4 }
            if records.count == 1, let only = records.first { recordSize = try bytes(only) }
            let recordsBegin = records.map(\.begin).min() ?? 0
            var recordCount: Int64?
            if !streaming {
                guard let n = Int64(exactly: rawRecords) else { throw Invalid() }
                recordCount = n
            }
            // For a streamed file, as many whole records as its size holds.
            let effectiveRecords = recordCount ?? (recordSize > 0 ? max(0, fileSize - recordsBegin) / recordSize : 0)
            var ends: [VariableEnd] = []
            for e in entries {
                let size = try bytes(e)
                if size == 0 { continue }
                var end: Int64
                if e.isRecord {
                    if effectiveRecords == 0 { continue }
                    let (span, o1) = (effectiveRecords - 1).multipliedReportingOverflow(by: recordSize)
                    guard !o1 else { throw Invalid() }
                    end = e.begin + span
                } else {
                    end = e.begin
                }
                let (total, o2) = end.addingReportingOverflow(size)
                guard !o2 else { throw Invalid() }
                end = total
                ends.append(VariableEnd(variable: e.name, begin: e.begin, end: end))
            }
            return Layout(variables: ends, recordCount: recordCount, records: effectiveRecords,
                          recordsBegin: recordsBegin, recordSize: recordSize)
        }

        private mutating func attributes() throws {
            for _ in 0..<(try list(tag: 12)) {
                _ = try name()
                let size = try typeSize(try u32())
                let n = try count()
                guard n >= 0, n < 1 << 40 else { throw Invalid() }
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
        private mutating func count() throws -> Int64 {
            let n = version == 5 ? try i64() : Int64(try u32())
            guard n >= 0 else { throw Invalid() }
            return n
        }

        /// NON_NEG as stored, to tell STREAMING (all ones) apart.
        private mutating func countBits() throws -> UInt64 {
            version == 5 ? UInt64(bitPattern: try i64()) : UInt64(try u32())
        }

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
