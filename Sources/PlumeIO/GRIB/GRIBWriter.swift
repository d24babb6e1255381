import Foundation
import PlumeSupport

/// Writes 2-D fields as GRIB 2 messages (through ecCodes) to a file, atomically.
///
/// Messages go to a temporary file beside the destination as they are appended (memory
/// stays at one message); `finish()` renames it into place. A writer that is cancelled,
/// fails to write, or is released without `finish()` removes its temporary file, so a
/// failure never leaves a file — partial or otherwise — under the destination name.
///
/// ```swift
/// try GRIBWriter.write(to: "out.grib2") { sink in
///     try sink.append(GRIBOutputField(parameter: .shortName("u"), level: .isobaricInhPa(500),
///                                     referenceTime: start, stepHours: 6, grid: grid, values: u))
/// }
/// ```
///
/// A field that cannot be encoded (wrong value count, a grid that is not regular…) throws
/// `PlumeIOError.writeFailed` naming the file, the message (counted from 1, as `grib_ls`
/// does) and the field, and writes nothing: the writer stays usable. A failed write to the
/// file itself ends the writer. Not thread-safe: use one writer from one task.
public final class GRIBWriter {
    /// The destination.
    public let path: String
    /// Packing of fields that do not bring their own.
    public let packing: GRIBPacking
    /// Messages written so far.
    public private(set) var messageCount = 0

    private let output: PendingFile
    private var state: State = .open
    /// Grids already checked, with their section 3 keys.
    private var checkedGrids: [GRIBOutputGrid: GRIBGridKeys] = [:]

    private enum State { case open, finished, closed(reason: String) }

    /// Starts writing to `path`: its folder must exist and be writable, and `path` must not
    /// be a folder. An existing file is replaced only by `finish()`.
    public init(path: String, packing: GRIBPacking = .simple()) throws {
        self.path = path
        self.packing = packing
        try Self.check(packing, path: path, context: "packing")
        do {
            output = try PendingFile(destination: path)
        } catch {
            throw PlumeIOError(error)
        }
    }

    /// Writes the fields `body` appends to `path`, atomically: the file appears only when
    /// `body` returns; when it throws, nothing is left and the error is rethrown.
    /// Returns the number of messages written.
    @discardableResult
    public static func write(to path: String, packing: GRIBPacking = .simple(), _ body: (GRIBWriter) throws -> Void) throws -> Int {
        let writer = try GRIBWriter(path: path, packing: packing)
        do {
            try body(writer)
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        return writer.messageCount
    }

    /// Encodes `field` as the next message and writes it to the temporary file.
    public func append(_ field: GRIBOutputField) throws {
        let index = messageCount + 1
        let context = "message \(index) (\(field.summary))"
        switch state {
        case .open: break
        case .finished: throw PlumeIOError.writeFailed(file: path, reason: "\(context): the writer is already finished")
        case .closed(let reason): throw PlumeIOError.writeFailed(file: path, reason: "\(context): the writer is closed (\(reason))")
        }
        let (request, values) = try prepare(field, context: context)
        let bytes: [UInt8]
        switch GRIBMessageEncoder.encode(request, values: values) {
        case .success(let b): bytes = b
        case .failure(let f): throw PlumeIOError.writeFailed(file: path, reason: "\(context): ecCodes: \(f.message)")
        }
        if let problem = writeAll(bytes) {
            abandon(reason: "writing message \(index) failed")
            throw PlumeIOError.writeFailed(file: path, reason: "\(context): \(problem)")
        }
        messageCount = index
    }

    /// Flushes the temporary file to disk and renames it to `path`. Calling it again does nothing.
    public func finish() throws {
        switch state {
        case .finished: return
        case .closed(let reason): throw PlumeIOError.writeFailed(file: path, reason: "the writer is closed (\(reason))")
        case .open: break
        }
        do {
            try output.commit()
        } catch {
            state = .closed(reason: "commit failed")
            throw PlumeIOError(error)
        }
        state = .finished
    }

    /// Abandons the output: removes the temporary file; `path` is left as it was.
    public func cancel() {
        abandon(reason: "cancelled")
    }

    private func abandon(reason: String) {
        guard case .open = state else { return }
        output.discard()
        state = .closed(reason: reason)
    }

    private func writeAll(_ bytes: [UInt8]) -> String? {
        do {
            try output.append(bytes)
            return nil
        } catch {
            return error.reason
        }
    }

    // MARK: Checks before ecCodes sees the field

    /// Sentinel for missing points handed to ecCodes with the bitmap (as the reader uses).
    static let missingSentinel = Double(Float.greatestFiniteMagnitude)

    private func prepare(_ field: GRIBOutputField, context: String) throws -> (GRIBMessageEncoder.Request, [Double]) {
        func fail(_ reason: String) -> PlumeIOError { .writeFailed(file: path, reason: "\(context): \(reason)") }

        let grid: GRIBGridKeys
        if let known = checkedGrids[field.grid] {
            grid = known
        } else {
            switch field.grid.keys() {
            case .success(let keys): grid = keys
            case .failure(let problem): throw fail("grid \(field.grid.summary): \(problem.reason)")
            }
            checkedGrids[field.grid] = grid
        }
        let expected = field.grid.pointCount
        guard field.values.count == expected else {
            throw fail("\(field.values.count) values, expected \(field.grid.latitudes.count) × \(field.grid.longitudes.count) = \(expected) for the \(field.grid.summary) grid")
        }

        var values = field.values
        var missing = 0
        for i in values.indices {
            let v = values[i]
            if v.isNaN {
                values[i] = Self.missingSentinel
                missing += 1
            } else if !v.isFinite {
                throw fail("value \(i) (row \(i / max(1, field.grid.longitudes.count)), column \(i % max(1, field.grid.longitudes.count))) is \(v) (expected finite values, NaN for missing)")
            } else if abs(v) >= Self.missingSentinel {
                throw fail("value \(i) is \(v), beyond the largest float (\(Self.missingSentinel)), which GRIB cannot hold")
            }
        }

        let packing = field.packing ?? self.packing
        try Self.check(packing, path: path, context: context)

        if let level = field.level {
            guard level.value.isFinite, level.value == level.value.rounded(), level.value >= 0, level.value < 4_294_967_295 else {
                throw fail("level \(level.value) of \(level.typeOfLevel) (expected a whole number ≥ 0 in the level type's unit)")
            }
            guard !level.typeOfLevel.isEmpty else { throw fail("typeOfLevel is empty (expected e.g. isobaricInhPa, surface)") }
        }
        switch field.parameter {
        case .shortName(let s) where s.isEmpty || s == "unknown":
            throw fail("shortName '\(s)' (expected an ecCodes shortName such as u, v, gh, vo, t)")
        case .paramId(let id) where id <= 0:
            throw fail("paramId \(id) (expected a positive ecCodes paramId)")
        case .code(let d, let c, let n) where !(0...254).contains(d) || !(0...254).contains(c) || !(0...254).contains(n):
            throw fail("parameter \(d).\(c).\(n) (expected discipline, category and number in 0…254)")
        default: break
        }

        let t = field.referenceTime
        let daysInMonth = (1...12).contains(t.month) ? CFCalendar.proleptic_gregorian.daysInMonth(year: t.year, month: t.month) : 0
        guard (1...9999).contains(t.year), (1...12).contains(t.month), (1...daysInMonth).contains(t.day),
              (0...23).contains(t.hour), (0...59).contains(t.minute), t.second >= 0, t.second < 60, t.second == t.second.rounded()
        else { throw fail("reference time \(t) (expected a Gregorian date in years 1…9999 with whole seconds)") }

        let stepUnits: Int, step: Int
        let hours = field.stepHours
        if hours.isFinite, hours == hours.rounded(), hours >= 0, hours < 1e9 {
            (stepUnits, step) = (1, Int(hours))
        } else if (hours * 60).isFinite, (hours * 60 - (hours * 60).rounded()).magnitude < 1e-9, hours >= 0, hours < 1e7 {
            (stepUnits, step) = (0, Int((hours * 60).rounded()))
        } else {
            throw fail("forecast step \(hours) h (expected ≥ 0, a whole number of hours or minutes)")
        }

        if let number = field.ensembleNumber {
            guard (0...254).contains(number) else { throw fail("ensemble number \(number) (expected 0…254)") }
            if let size = field.ensembleSize, !(1...254).contains(size) {
                throw fail("ensemble size \(size) (expected 1…254)")
            }
        }

        let request = GRIBMessageEncoder.Request(
            parameter: field.parameter, level: field.level,
            dataDate: t.year * 10000 + t.month * 100 + t.day, dataTime: t.hour * 100 + t.minute, second: Int(t.second),
            stepUnits: stepUnits, step: step, number: field.ensembleNumber, ensembleSize: field.ensembleSize,
            grid: grid, packing: packing, additionalKeys: field.additionalKeys,
            missingValue: missing > 0 ? Self.missingSentinel : nil)
        return (request, values)
    }

    private static func check(_ packing: GRIBPacking, path: String, context: String) throws {
        guard (1...32).contains(packing.bitsPerValue) else {
            throw PlumeIOError.writeFailed(file: path, reason: "\(context): bitsPerValue \(packing.bitsPerValue) (expected 1…32)")
        }
    }
}

@available(*, unavailable)
extension GRIBWriter: Sendable {}
