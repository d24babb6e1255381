import Foundation
import PlumeIO
import Testing

/// Acceptance 4, with values: 500 cut and 500 byte-mutated copies of sample files (GRIB 1,
/// GRIB 2 with single- and multi-field messages, netCDF classic, 64-bit offset, CDF-5 and
/// netCDF-4) fed to the readers. No crash, no hang, and every read either throws an error
/// naming the file, or flags the damage, or returns only values equal to the intact file's:
///
/// - GRIB: each field is compared with the intact file's field at the same byte offset.
///   A field whose message the damage did not touch (for a cut: that ends before the cut)
///   must be there, with the same keys and bit-identical values, unless the damage is
///   flagged (`problems`); no field may come from bytes beyond a cut; a cut inside a
///   message must be flagged. A mutated message may decode to other values (a mutated
///   data byte legitimately changes a value without any error), but keeps its size. The
///   assembled dataset holds exactly the non-missing values of the fields (none dropped).
/// - netCDF: a cut file either throws or reads the intact values (cutting only padding).
///   After a mutation, every variable with the intact name, shape, type and attributes
///   holds the intact values, except the elements whose bytes were mutated (classic
///   formats: found from the header's offsets) — for netCDF-4, whose layout Plume does not
///   map, at most as many elements as bytes were mutated may differ.
///
/// The seed is fixed (`PLUME_FUZZ_SEED` replays another); each failure names the case.
@Suite struct RobustnessTests {
    /// A small deterministic generator (SplitMix64) so that a failing case can be replayed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let gribFiles = [
        "regular_gg_ml_g2.grib", "fields_with_missing_values.grib", "reduced_gg.grib",
        "lambert_grid.grib", "step_60m.grib", "uv_on_different_levels.grib", "alternate-scanning.grib", "hpa_and_pa.grib",
        "era5-levels-corrupted.grib",
    ]

    /// One intact file and what Plume reads from it.
    struct Source {
        var name: String
        var path: String
        var bytes: [UInt8]
        var isGRIB: Bool
        /// GRIB: fields by (message offset, field number).
        var fields: [FieldKey: (message: GRIBMessage, values: [Float])] = [:]
        /// GRIB: the intact messages' byte ranges.
        var messageRanges: [Range<Int>] = []
        /// netCDF: each numeric variable's metadata and decoded values.
        var variables: [String: (variable: Variable, values: [Double])] = [:]
        /// netCDF classic: byte offset where each variable's data begins (fixed-size ones),
        /// and the size of its elements as stored.
        var begins: [String: Int64] = [:]
        var storedSizes: [String: Int] = [:]
        var classic = false
    }

    struct FieldKey: Hashable {
        var offset: Int
        var field: Int
    }

    struct Outcomes {
        var refused = 0, flagged = 0, intact = 0, changedValues = 0
        var gribFields = 0, netCDFValues = 0
    }

    /// Every field of a GRIB file, decoded, keyed by where it lies.
    static func gribFields(_ file: GRIBFile) throws -> [FieldKey: (message: GRIBMessage, values: [Float])] {
        var result: [FieldKey: (GRIBMessage, [Float])] = [:]
        for (i, m) in file.messages.enumerated() {
            result[FieldKey(offset: m.offset, field: m.field)] = (m, try file.decode(i).values)
        }
        return result
    }

    static func netCDFVariables(_ dataset: Dataset) -> [String: (variable: Variable, values: [Double])] {
        var result: [String: (Variable, [Double])] = [:]
        for v in dataset.variables {
            guard let data = v.data else { continue }
            var meta = v
            meta.data = nil
            result[v.name] = (meta, data.doubles)
        }
        return result
    }

    static func sameBits(_ a: Double, _ b: Double) -> Bool {
        a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern
    }

    static func sources(in temp: TemporaryFolder) throws -> [Source] {
        var sources: [Source] = []
        var gribPaths = try gribFiles.map { ($0, try SampleData.path($0)) }
        // GRIB 2 messages of several fields (u and v after one grid section).
        let multi = temp.file("multi-field.grib2")
        try GRIBMultiFieldTests.writeMultiField([GRIBMultiFieldTests.u, GRIBMultiFieldTests.v], startSection: 4, to: multi)
        try GRIBMultiFieldTests.writeMultiField([GRIBMultiFieldTests.v, GRIBMultiFieldTests.u], startSection: 3, to: multi, append: true)
        gribPaths.append(("multi-field.grib2", multi))
        for (name, path) in gribPaths {
            let file = try GRIBFile(path: path)
            var s = Source(name: name, path: path, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), isGRIB: true)
            s.fields = try gribFields(file)
            s.messageRanges = Array(Set(file.messages.map { $0.offset..<($0.offset + $0.length) })).sorted { $0.lowerBound < $1.lowerBound }
            sources.append(s)
        }
        // netCDF: a file Plume writes (netCDF-4), and its classic, 64-bit offset and CDF-5
        // copies by netCDF-C's tools (CDF-1/2 have no 64-bit integers: through CDL).
        let written = temp.file("plume-written.nc")
        try NetCDFWriter().write(try DatasetLoader.load(try SampleData.path("uv_on_different_levels.grib")).dataset, to: written)
        let cdl = try Shell.run("ncdump", ["-p", "9,17", written]).stdout
            .replacingOccurrences(of: "\tint64 ", with: "\tint ")
            .replacingOccurrences(of: #"([0-9])LL\b"#, with: "$1", options: .regularExpression)
        try cdl.write(toFile: temp.file("written.cdl"), atomically: false, encoding: .utf8)
        var netCDFPaths = [("netCDF-4 (Plume)", written)]
        for kind in ["classic", "64-bit-offset"] {
            let path = temp.file("written-\(kind).nc")
            try Shell.run("ncgen", ["-k", kind, "-o", path, temp.file("written.cdl")])
            netCDFPaths.append((kind, path))
        }
        let cdf5 = temp.file("written-cdf5.nc")
        try Shell.run("nccopy", ["-k", "cdf5", written, cdf5])
        netCDFPaths.append(("cdf5", cdf5))
        for (name, path) in netCDFPaths {
            var s = Source(name: name, path: path, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), isGRIB: false)
            s.variables = netCDFVariables(try DatasetLoader.load(path).dataset)
            for v in try NetCDFFile(path: path).dataset.variables { s.storedSizes[v.name] = v.dataType.byteSize }
            if let (layout, _) = ClassicNetCDFExtent.read(path: path) {
                s.classic = true
                for v in layout.variables where layout.recordSize == 0 || v.begin < layout.recordsBegin { s.begins[v.variable] = v.begin }
            }
            sources.append(s)
        }
        return sources
    }

    enum Damage {
        case cut(Int)
        case mutated([Int])
    }

    @Test func cutAndMutatedFilesReadOnlyTheirOwnValues() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["PLUME_FUZZ_SEED"] ?? "") ?? 20_261_204
        var rng = SplitMix64(state: seed)
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let sources = try Self.sources(in: temp)
        var outcomes = Outcomes()
        var byFile: [String: (cases: Int, refused: Int, flagged: Int)] = [:]
        let verbose = ProcessInfo.processInfo.environment["PLUME_FUZZ_VERBOSE"] != nil
        let started = Date()
        for i in 0..<1000 {
            let source = sources[Int.random(in: 0..<sources.count, using: &rng)]
            var bytes = source.bytes
            let damage: Damage
            if i < 500 {
                let cut = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.removeSubrange(cut...)
                damage = .cut(cut)
            } else {
                var positions: [Int] = []
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    // Half the mutations in the first 2 kB, where headers are.
                    let limit = Bool.random(using: &rng) ? min(bytes.count, 2048) : bytes.count
                    let p = Int.random(in: 0..<limit, using: &rng)
                    bytes[p] ^= UInt8.random(in: 1...255, using: &rng)  // always a change
                    positions.append(p)
                }
                damage = .mutated(positions)
            }
            let path = temp.file("case-\(i)" + (source.isGRIB ? ".grib" : ".nc"))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let label = "case \(i) (\(source.name), \(damage), seed \(seed))"
            if verbose { FileHandle.standardError.write(Data((label + "\n").utf8)) }
            var tally = byFile[source.name] ?? (0, 0, 0)
            tally.cases += 1
            do {
                let flagged = source.isGRIB
                    ? try checkGRIB(path, source, damage, label, &outcomes)
                    : try checkNetCDF(path, source, damage, label, &outcomes)
                if flagged { outcomes.flagged += 1; tally.flagged += 1 }
            } catch let error as PlumeIOError {
                #expect("\(error)".hasPrefix(path + ": "), "\(label): the error does not name the file: \(error)")
                outcomes.refused += 1
                tally.refused += 1
            }
            byFile[source.name] = tally
            try? FileManager.default.removeItem(atPath: path)
        }
        let seconds = Date().timeIntervalSince(started)
        print("robustness: 1000 cases (500 cut, 500 mutated) in \(String(format: "%.1f", seconds)) s, seed \(seed): "
              + "\(outcomes.refused) refused with an error, \(outcomes.flagged) read with the damage flagged, "
              + "\(outcomes.intact) read with every value equal to the intact file's, "
              + "\(outcomes.changedValues) with values changed only where bytes were mutated; "
              + "\(outcomes.gribFields) GRIB fields and \(outcomes.netCDFValues) netCDF values compared")
        for (name, t) in byFile.sorted(by: { $0.key < $1.key }) {
            print("robustness:   \(name): \(t.cases) cases, \(t.refused) refused, \(t.flagged) flagged")
        }
        #expect(outcomes.refused + outcomes.flagged + outcomes.intact + outcomes.changedValues == 1000)
        #expect(outcomes.refused > 100, "damage should break a good share of the files")
        #expect(seconds < 120, "1,000 cases took \(seconds) s: something hangs")
    }

    /// Returns whether the damage was flagged; records an issue for any value that did not
    /// come from the file.
    func checkGRIB(_ path: String, _ source: Source, _ damage: Damage, _ label: String, _ outcomes: inout Outcomes) throws -> Bool {
        let file = try GRIBFile(path: path)
        let flagged = !file.problems.isEmpty
        var changed = false
        var present: Set<FieldKey> = []
        var nonMissing = 0
        for (position, m) in file.messages.enumerated() {
            let range = m.offset..<(m.offset + m.length)
            let key = FieldKey(offset: m.offset, field: m.field)
            present.insert(key)
            let untouched: Bool
            switch damage {
            case .cut(let at):
                #expect(range.upperBound <= at, "\(label): field at \(m.offset) reaches beyond the cut")
                untouched = true
            case .mutated(let positions):
                untouched = !positions.contains { range.contains($0) }
            }
            let values: [Float]
            do {
                values = try file.decode(position).values
            } catch let error as PlumeIOError {
                #expect(!untouched, "\(label): an untouched message fails: \(error)")
                continue
            }
            nonMissing += values.count { !$0.isNaN }
            outcomes.gribFields += 1
            guard untouched else {
                #expect(values.count == m.grid.numberOfPoints)
                changed = true
                continue
            }
            guard let intact = source.fields[key] else {
                Issue.record("\(label): untouched field at \(m.offset) (field \(m.field)) is not in the intact file")
                continue
            }
            var a = intact.message, b = m
            a.index = 0
            b.index = 0
            #expect(a == b, "\(label): untouched field at \(m.offset) has other keys")
            let same = values.count == intact.values.count
                && zip(values, intact.values).allSatisfy { $0.isNaN ? $1.isNaN : $0.bitPattern == $1.bitPattern }
            #expect(same, "\(label): untouched field at \(m.offset) (\(m.shortName)) has other values")
        }
        // Nothing lost silently: every intact field the damage did not reach is there, or
        // the damage is flagged.
        for (key, intact) in source.fields {
            let range = key.offset..<(key.offset + intact.message.length)
            let reached: Bool
            switch damage {
            case .cut(let at): reached = range.upperBound > at
            case .mutated(let positions): reached = positions.contains { range.contains($0) }
            }
            if !reached && !flagged {
                #expect(present.contains(key), "\(label): field at \(key.offset) (\(intact.message.shortName)) is missing and nothing is flagged")
            }
        }
        if case .cut(let at) = damage, source.messageRanges.contains(where: { $0.lowerBound < at && at < $0.upperBound }) {
            #expect(flagged, "\(label): the cut inside a message is not flagged")
        }
        // The dataset holds every non-missing value of the fields (none overwritten).
        let dataset = try file.dataset()
        let assembled = dataset.dataVariables.reduce(0) { $0 + ($1.data?.doubles.count { !$0.isNaN } ?? 0) }
        #expect(assembled == nonMissing, "\(label): the dataset holds \(assembled) values, the fields \(nonMissing)")
        if !flagged { if changed { outcomes.changedValues += 1 } else { outcomes.intact += 1 } }
        return flagged
    }

    func checkNetCDF(_ path: String, _ source: Source, _ damage: Damage, _ label: String, _ outcomes: inout Outcomes) throws -> Bool {
        let loaded = Self.netCDFVariables(try DatasetLoader.load(path).dataset)
        var changed = false
        for (name, intact) in source.variables {
            guard let got = loaded[name] else { continue }
            // A mutated header may rename, reshape or retype a variable, or change how its
            // values are decoded: those are not compared.
            // (Compared as text: NaN attributes, e.g. _FillValue, never equal themselves.)
            guard "\(got.variable)" == "\(intact.variable)", got.values.count == intact.values.count else {
                if case .cut = damage { Issue.record("\(label): \(name) reads differently described from a cut file") }
                continue
            }
            var differing: [Int] = []
            for k in got.values.indices where !Self.sameBits(got.values[k], intact.values[k]) { differing.append(k) }
            outcomes.netCDFValues += got.values.count
            if differing.isEmpty { continue }
            switch damage {
            case .cut:
                Issue.record("\(label): \(name) reads \(differing.count) values that differ from the intact file (first at \(differing[0]): \(got.values[differing[0]]) for \(intact.values[differing[0]]))")
            case .mutated(let positions):
                changed = true
                if source.classic, let begin = source.begins[name] {
                    // Only the elements whose bytes were mutated may differ.
                    let size = Int64(source.storedSizes[name] ?? 1)
                    let touched = Set(positions.map { (Int64($0) - begin) / size }.filter { $0 >= 0 }.map(Int.init))
                    let stray = differing.filter { !touched.contains($0) }
                    #expect(stray.isEmpty, "\(label): \(name) changed at \(stray.count) elements no mutated byte belongs to (first \(stray.first ?? -1))")
                } else if !source.classic {
                    #expect(differing.count <= positions.count, "\(label): \(name): \(differing.count) values changed by \(positions.count) mutated bytes")
                }
            }
        }
        if changed { outcomes.changedValues += 1 } else { outcomes.intact += 1 }
        return false
    }
}
