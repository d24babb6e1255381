import CEccodes
import Foundation
import Synchronization

/// Messages ecCodes logged during the current call (it logs instead of returning
/// detail). Read and cleared under `ecCodesLock`.
let ecCodesLog = Mutex<[String]>([])

/// One-time set-up: route ecCodes' log and assertion messages into `ecCodesLog` instead
/// of standard error and `abort()`.
let ecCodesConfigured: Void = {
    codes_context_set_logging_proc(codes_context_get_default()) { _, level, message in
        guard level == GRIB_LOG_ERROR || level == GRIB_LOG_FATAL, let message else { return }
        let text = String(cString: message)
        ecCodesLog.withLock { $0.append(text) }
    }
    codes_set_codes_assertion_failed_proc { message in
        let text = message.map { String(cString: $0) } ?? "assertion failed"
        ecCodesLog.withLock { $0.append("internal check failed: " + text) }
    }
}()

/// A parsed GRIB message inside ecCodes. The bytes it was made from must outlive it.
/// Not thread-safe: each handle belongs to the `GRIBFile` that made it.
final class ECCodesHandle {
    private let handle: OpaquePointer
    /// The bytes the handle was parsed from, when the handle must keep them alive.
    private let owner: GRIBOwnedBytes?

    /// Parses the message at `bytes` (no copy). Returns the error text when ecCodes refuses
    /// it. `owner`, when given, holds `bytes` and is kept as long as the handle.
    static func make(_ bytes: UnsafeRawBufferPointer, owner: GRIBOwnedBytes? = nil) -> Result<ECCodesHandle, ECCodesFailure> {
        _ = ecCodesConfigured
        let made: Result<OpaquePointer, ECCodesFailure> = ecCodesLock.withLock { _ in
            ecCodesLog.withLock { $0.removeAll() }
            guard let base = bytes.baseAddress,
                  let h = codes_handle_new_from_message(nil, base, bytes.count)
            else {
                return .failure(ECCodesFailure(message: drainLog() ?? "ecCodes cannot parse the message"))
            }
            return .success(h)
        }
        return made.map { ECCodesHandle($0, owner: owner) }
    }

    private init(_ handle: OpaquePointer, owner: GRIBOwnedBytes?) {
        self.handle = handle
        self.owner = owner
    }

    deinit {
        let h = handle
        ecCodesLock.withLock { _ in _ = codes_handle_delete(h) }
    }

    private static func drainLog() -> String? {
        let lines = ecCodesLog.withLock { log -> [String] in
            defer { log.removeAll() }
            return log
        }
        return lines.isEmpty ? nil : lines.joined(separator: "; ")
    }

    func long(_ key: String) -> Int? {
        ecCodesLock.withLock { _ in
            // Absent keys are the slow case (a failed search): one call finds them.
            var value = 0
            var status: Int32 = 0
            guard codes_get_long(handle, key, &value) == 0 else { return nil }
            return codes_is_missing(handle, key, &status) == 1 ? nil : value
        }
    }

    /// The value of an integer key as stored, a missing value as its all-ones code (no
    /// second look-up to tell); nil only when the message has no such key.
    func rawLong(_ key: String) -> Int? {
        ecCodesLock.withLock { _ in
            var value = 0
            return codes_get_long(handle, key, &value) == 0 ? value : nil
        }
    }

    func double(_ key: String) -> Double? {
        ecCodesLock.withLock { _ in
            var value = 0.0
            var status: Int32 = 0
            guard codes_get_double(handle, key, &value) == 0 else { return nil }
            return codes_is_missing(handle, key, &status) == 1 ? nil : value
        }
    }

    func string(_ key: String) -> String? {
        ecCodesLock.withLock { _ in
            var length = 0
            guard codes_get_length(handle, key, &length) == 0, length > 0, length < 1 << 20 else { return nil }
            var buffer = [CChar](repeating: 0, count: length + 1)
            guard codes_get_string(handle, key, &buffer, &length) == 0 else { return nil }
            return String(nulTerminated: buffer)
        }
    }

    func longs(_ key: String) -> [Int]? {
        ecCodesLock.withLock { _ in
            var size = 0
            guard codes_get_size(handle, key, &size) == 0, size > 0, size < 1 << 28 else { return nil }
            var values = [Int](repeating: 0, count: size)
            guard codes_get_long_array(handle, key, &values, &size) == 0 else { return nil }
            return Array(values.prefix(size))
        }
    }

    /// A double array key of any length (e.g. `pv`); nil when absent or empty.
    func doubleArray(_ key: String) -> [Double]? {
        ecCodesLock.withLock { _ in
            var size = 0
            guard codes_get_size(handle, key, &size) == 0, size > 0, size < 1 << 28 else { return nil }
            var values = [Double](repeating: 0, count: size)
            guard codes_get_double_array(handle, key, &values, &size) == 0 else { return nil }
            return Array(values.prefix(size))
        }
    }

    /// The number of values of a key (`/subsetNumber=N/key` counts one subset of an
    /// uncompressed BUFR message); nil when the message has no such key.
    func size(_ key: String) -> Int? {
        ecCodesLock.withLock { _ in
            var size = 0
            return codes_get_size(handle, key, &size) == 0 ? size : nil
        }
    }

    /// Every value of a string key (BUFR CCITT IA5 elements: one per subset or occurrence),
    /// a missing value (all bits one) as nil, trailing blanks removed. Nil when the key is
    /// absent or not a string key (ecCodes is not asked for strings of a numeric key: that
    /// can crash it).
    func stringArray(_ key: String) -> [String?]? {
        ecCodesLock.withLock { _ in
            var type: Int32 = 0
            guard codes_get_native_type(handle, key, &type) == 0, type == GRIB_TYPE_STRING else { return nil }
            var size = 0
            guard codes_get_size(handle, key, &size) == 0, size > 0, size < 1 << 24 else { return nil }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: size)
            let status = codes_get_string_array(handle, key, &pointers, &size)
            defer { for pointer in pointers { free(pointer) } }
            guard status == 0 else { return nil }
            return pointers.prefix(size).map { pointer -> String? in
                guard let pointer else { return nil }
                let bytes = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
                if bytes.isEmpty || bytes.allSatisfy({ $0 == 0xFF }) { return nil }
                let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                return text.isEmpty ? nil : text
            }
        }
    }

    /// The elements of a BUFR message's data section in descriptor order, as ecCodes names
    /// them, `#rank#name` split into rank and name (all subsets of an uncompressed message,
    /// one after another; each element once for compressed data); attributes
    /// (`…->percentConfidence`) left out. Needs `unpack`.
    func bufrDataElements() -> [(rank: Int, name: String)]? {
        ecCodesLock.withLock { _ in
            guard let iterator = codes_bufr_data_section_keys_iterator_new(handle) else { return nil }
            defer { _ = codes_bufr_keys_iterator_delete(iterator) }
            var elements: [(rank: Int, name: String)] = []
            while codes_bufr_keys_iterator_next(iterator) != 0 {
                // The name belongs to the iterator (freed by the next step): read at once.
                guard let name = codes_bufr_keys_iterator_get_name(iterator), name[0] == 0x23,  // '#'
                      strstr(name, "->") == nil else { continue }
                var i = 1
                var rank = 0
                while name[i] >= 0x30, name[i] <= 0x39, rank < 1 << 40 {
                    rank = rank * 10 + Int(name[i] - 0x30)
                    i += 1
                }
                guard i > 1, name[i] == 0x23 else { continue }
                elements.append((rank, String(cString: name + i + 1)))
            }
            return elements
        }
    }

    /// Decodes a double array key (`values`); on failure returns what ecCodes said.
    func doubles(_ key: String, expectedCount: Int) -> Result<[Double], ECCodesFailure> {
        ecCodesLock.withLock { _ in
            ecCodesLog.withLock { $0.removeAll() }
            var size = 0
            var status = codes_get_size(handle, key, &size)
            guard status == 0 else { return .failure(Self.failure(status)) }
            guard size == expectedCount else {
                return .failure(ECCodesFailure(message: "'\(key)' has \(size) values, expected \(expectedCount) (numberOfPoints)"))
            }
            var values = [Double](repeating: 0, count: size)
            status = codes_get_double_array(handle, key, &values, &size)
            guard status == 0 else { return .failure(Self.failure(status)) }
            guard size == expectedCount else {
                return .failure(ECCodesFailure(message: "decoded \(size) values, expected \(expectedCount)"))
            }
            if let logged = Self.drainLog() { return .failure(ECCodesFailure(message: logged)) }
            return .success(values)
        }
    }

    func setLong(_ key: String, _ value: Int) -> Bool {
        ecCodesLock.withLock { _ in codes_set_long(handle, key, value) == 0 }
    }

    func set(_ key: String, _ value: Double) -> Bool {
        ecCodesLock.withLock { _ in codes_set_double(handle, key, value) == 0 }
    }

    /// Latitude, longitude and value of every point in data order, from ecCodes' geo-iterator.
    func geoIterate(expectedCount: Int) -> Result<(lat: [Double], lon: [Double]), ECCodesFailure> {
        ecCodesLock.withLock { _ in
            ecCodesLog.withLock { $0.removeAll() }
            var status: Int32 = 0
            guard let iterator = codes_grib_iterator_new(handle, 0, &status), status == 0 else {
                return .failure(Self.failure(status))
            }
            defer { codes_grib_iterator_delete(iterator) }
            var lats: [Double] = []
            var lons: [Double] = []
            lats.reserveCapacity(expectedCount)
            lons.reserveCapacity(expectedCount)
            var lat = 0.0, lon = 0.0, value = 0.0
            while codes_grib_iterator_next(iterator, &lat, &lon, &value) != 0 {
                lats.append(lat)
                lons.append(lon)
                if lats.count > expectedCount { break }
            }
            guard lats.count == expectedCount else {
                return .failure(ECCodesFailure(message: "geo-iterator gave \(lats.count) points, expected \(expectedCount)"))
            }
            return .success((lats, lons))
        }
    }

    private static func failure(_ status: Int32) -> ECCodesFailure {
        let text = String(cString: codes_get_error_message(status))
        return ECCodesFailure(message: drainLog().map { "\(text): \($0)" } ?? text)
    }
}

/// What ecCodes said when it refused a call.
struct ECCodesFailure: Error {
    var message: String
}
