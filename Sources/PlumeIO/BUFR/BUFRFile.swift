import Foundation

/// A BUFR file (editions 3 and 4): the messages found by their `BUFR` … `7777` frames, each
/// decoded by ecCodes on demand. Bytes between messages are skipped and counted, never
/// taken for data.
public struct BUFRFile: Sendable {
    public let path: String
    /// Byte offset and length of each message, in file order.
    public let messages: [(offset: Int, length: Int)]
    /// Bytes outside any message (padding, headers of bulletins).
    public let skippedBytes: Int
    let data: Data

    /// Reads `path` and finds its messages.
    /// - Throws: `PlumeIOError` naming the file when it cannot be read or holds no message.
    public init(path: String) throws(PlumeIOError) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlumeIOError.cannotOpen(file: path, reason: "cannot be read")
        }
        self.data = data
        var found: [(Int, Int)] = []
        var skipped = 0
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i + 8 <= bytes.count {
                if bytes[i] == 0x42, bytes[i + 1] == 0x55, bytes[i + 2] == 0x46, bytes[i + 3] == 0x52 {  // "BUFR"
                    let length = Int(bytes[i + 4]) << 16 | Int(bytes[i + 5]) << 8 | Int(bytes[i + 6])
                    let end = i + length
                    if length >= 12, end <= bytes.count,
                       bytes[end - 4] == 0x37, bytes[end - 3] == 0x37, bytes[end - 2] == 0x37, bytes[end - 1] == 0x37 {  // "7777"
                        found.append((i, length))
                        i = end
                        continue
                    }
                }
                skipped += 1
                i += 1
            }
            skipped += bytes.count - i
        }
        guard !found.isEmpty else { throw PlumeIOError.unrecognisedFormat(file: path, expected: "BUFR messages ('BUFR' … '7777')", found: "none") }
        messages = found
        skippedBytes = skipped
    }

    /// Message `index` (0-based), unpacked.
    /// - Parameter keyAttributes: false skips the descriptors' extra attributes (`->units`,
    ///   `->scale`, `->reference`, `->width`; `->code` stays): unpacking takes about a
    ///   third less time, the values are the same.
    /// - Throws: `PlumeIOError` naming the file and the message (counted from 1, as
    ///   `bufr_ls` does) when ecCodes cannot decode it.
    public func message(_ index: Int, keyAttributes: Bool = true) throws(PlumeIOError) -> BUFRMessage {
        let frame = messages[index]
        let owned = GRIBOwnedBytes(count: frame.length)
        data.withUnsafeBytes { raw in
            owned.bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[frame.offset..<(frame.offset + frame.length)]))
        }
        let handle: ECCodesHandle
        switch ECCodesHandle.make(owned.buffer, owner: owned) {
        case .success(let made): handle = made
        case .failure(let failure): throw PlumeIOError.corruptMessage(file: path, index: index + 1, offset: frame.offset, reason: failure.message)
        }
        if !keyAttributes { _ = handle.setLong("skipExtraKeyAttributes", 1) }
        guard handle.setLong("unpack", 1) else {
            throw PlumeIOError.corruptMessage(file: path, index: index + 1, offset: frame.offset, reason: "ecCodes cannot unpack its data section")
        }
        return BUFRMessage(index: index, offset: frame.offset, handle: handle)
    }
}

/// One unpacked BUFR message: its subsets (reports) and the values of its keys.
public struct BUFRMessage {
    /// 0-based position in the file.
    public let index: Int
    public let offset: Int
    let handle: ECCodesHandle

    /// Reports in the message.
    public var subsetCount: Int { handle.long("numberOfSubsets") ?? 0 }
    /// True for compressed data (every key holds one value per subset).
    public var isCompressed: Bool { (handle.long("compressedData") ?? 0) == 1 }
    /// BUFR data category (0 surface land, 2 vertical soundings other than satellite, 4 aircraft…).
    public var dataCategory: Int? { handle.long("dataCategory") }

    /// Every value of a data key in the message, in descriptor order (all subsets, all
    /// occurrences); ecCodes' missing value as nil. Nil when the message has no such key.
    public func values(_ key: String) -> [Double?]? {
        handle.doubleArray(key).map { $0.map { $0 == Self.missing ? nil : $0 } }
    }

    /// The data section's elements in descriptor order, by ecCodes' ranked names
    /// (`#3#airTemperature` is rank 3, name `airTemperature`): for uncompressed data every
    /// subset's elements, subset after subset, ranks counting on through the message; for
    /// compressed data each element once (its values are one per subset, or one for all).
    /// Attributes (`->…`) are left out.
    public var dataElements: [(rank: Int, name: String)] { handle.bufrDataElements() ?? [] }

    /// Every value of a string (CCITT IA5) key, like `values`: missing as nil, trailing
    /// blanks removed. Nil when the message has no such key or it is not a string key.
    public func strings(_ key: String) -> [String?]? {
        handle.stringArray(key)
    }

    /// How many values `key` has in subset `subset` (1-based) of an uncompressed message
    /// (ecCodes' `/subsetNumber=N/key`); 0 when the subset has none. Compressed data has no
    /// per-subset keys: there every element has one value per subset (or one for all).
    public func count(_ key: String, subset: Int) -> Int {
        handle.size("/subsetNumber=\(subset)/\(key)") ?? 0
    }

    /// The BUFR descriptor of a data key (`#2#timePeriod` → 4086, for 0 04 086), from
    /// ecCodes' `->code` attribute; nil when the message has no such key.
    public func descriptor(_ key: String) -> Int? {
        handle.string(key + "->code").flatMap { Int($0) }
    }

    /// ecCodes' missing value for doubles (CODES_MISSING_DOUBLE).
    static let missing = -1e100
}
