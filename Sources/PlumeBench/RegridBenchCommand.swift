import ArgumentParser
import Foundation
import PlumeGrids
import PlumeRegrid
import PlumeVerify

/// `plume bench regrid`: accuracy of every remapping method on the analytic test fields
/// (Y2_2, Y16_32, vortex) and in-process timings (weight generation, application to a
/// batch of float32 fields, against a plain memory copy of the same bytes), for the grid
/// pairs of the regridding issue. Prints JSON lines (`--format json`, what
/// `Benchmarks/regrid.sh` reads) or markdown tables.
///
/// Accuracy convention: each field is evaluated at the source cell centres, remapped in
/// float64, and compared with the field at the destination cell centres; conservative
/// results are also compared with the exact destination cell averages (4×4 Gauss points
/// per cell in sin φ and λ).
struct RegridBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regrid",
        abstract: "Remapping accuracy on analytic fields, and weight generation / application timings.")

    @Option(name: .customLong("repeat"), help: "Repetitions per timing (the best is reported, after one warm-up).")
    var repetitions: Int = 3

    @Option(help: "Float32 fields per timed application (e.g. 24 time steps).")
    var fields: Int = 24

    @Option(help: "Grid pairs SOURCE:DESTINATION, comma-separated.")
    var pairs: String = "latlon0.25:latlon1,latlon1:latlon5.625,octahedral-o80:latlon1,latlon2x3:latlon5.625"

    @Option(help: "Methods, comma-separated (conservative, bilinear, nearest).")
    var methods: String = "conservative,bilinear,nearest"

    @Option(help: "json (one line per measurement) or markdown.")
    var format: String = "markdown"

    @Flag(help: "Only the timings (skip the accuracy table).")
    var timingOnly = false

    @Flag(help: "Only the accuracy table (skip the timings).")
    var accuracyOnly = false

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard fields >= 1 else { throw ValidationError("--fields must be at least 1") }
        guard format == "json" || format == "markdown" else { throw ValidationError("--format must be json or markdown") }
        guard !(timingOnly && accuracyOnly) else { throw ValidationError("--timing-only and --accuracy-only exclude each other") }
        for m in methods.split(separator: ",") where RemapMethod(rawValue: String(m)) == nil {
            throw ValidationError("unknown method '\(m)'")
        }
        for p in pairs.split(separator: ",") where p.split(separator: ":").count != 2 {
            throw ValidationError("pair '\(p)' is not SOURCE:DESTINATION")
        }
    }

    /// One accuracy result.
    struct Accuracy {
        var source: String, destination: String, method: RemapMethod, field: TestField
        /// "centre" (analytic value at destination centres) or "cell-average".
        var reference: String
        var norms: ErrorNorms
    }

    /// One timing result.
    struct Timing {
        var source: String, destination: String, method: RemapMethod
        var links: Int
        var generationSeconds: Double
        /// Best time of one `apply(fields:count:)` call on `fields` float32 fields.
        var applySeconds: Double
        var sourceBytes: Int
        var memcpySeconds: Double
    }

    func run() throws {
        let methodList = methods.split(separator: ",").compactMap { RemapMethod(rawValue: String($0)) }
        var accuracy: [Accuracy] = []
        var timings: [Timing] = []
        for pair in pairs.split(separator: ",") {
            let names = pair.split(separator: ":").map(String.init)
            guard names.count == 2 else { continue }
            let source = try GridCatalog.resolve(names[0]), destination = try GridCatalog.resolve(names[1])
            let sourceCentres = source.centres(), destinationCentres = destination.centres()
            let destinationArea = destination.cellAreas()
            let sourceValues = TestField.allCases.map { $0.values(at: sourceCentres) }
            let centreReference = timingOnly ? [] : TestField.allCases.map { $0.values(at: destinationCentres) }
            let averageReference: [[Double]]? = timingOnly ? nil : (destination as? any BandedGrid).map { d in
                TestField.allCases.map { $0.cellAverages(on: d) }
            }
            for method in methodList {
                let (weights, firstSeconds) = try Self.time { try Self.makeWeights(method, from: source, to: destination) }
                let remapper = Remapper(weights)
                if !timingOnly {
                    for (f, field) in TestField.allCases.enumerated() {
                        let result = try remapper.apply(sourceValues[f])
                        var rows = [Accuracy(source: source.name, destination: destination.name, method: method, field: field,
                                             reference: "centre",
                                             norms: try ErrorNorms(computed: result, reference: centreReference[f], areas: destinationArea))]
                        if method == .conservative, let averageReference {
                            rows.append(Accuracy(source: source.name, destination: destination.name, method: method, field: field,
                                                 reference: "cell-average",
                                                 norms: try ErrorNorms(computed: result, reference: averageReference[f], areas: destinationArea)))
                        }
                        for row in rows { emit(row) }
                        accuracy += rows
                    }
                }
                guard !accuracyOnly else { continue }
                var generation = firstSeconds
                for _ in 0..<repetitions {
                    generation = min(generation, try Self.time { try Self.makeWeights(method, from: source, to: destination) }.1)
                }
                // A batch of float32 fields, as read from a file: the vortex, shifted per step.
                let one = sourceValues[TestField.allCases.count - 1]
                var batch = [Float](repeating: 0, count: fields * one.count)
                for s in 0..<fields {
                    for i in one.indices { batch[s * one.count + i] = Float(one[i] + 0.01 * Double(s)) }
                }
                var apply = Double.infinity
                var checksum = 0.0
                for _ in 0...repetitions {  // the first is the warm-up
                    let (out, seconds) = try Self.time { try remapper.apply(fields: batch, count: fields) }
                    apply = min(apply, seconds)
                    checksum += Double(out[out.count / 2])
                }
                let bytes = batch.count * MemoryLayout<Float>.stride
                let timing = Timing(source: source.name, destination: destination.name, method: method, links: weights.linkCount,
                                    generationSeconds: generation, applySeconds: apply, sourceBytes: bytes,
                                    memcpySeconds: Self.memcpySeconds(bytes: bytes, repetitions: repetitions))
                emit(timing, checksum: checksum)
                timings.append(timing)
            }
        }
        if format == "markdown" { printMarkdown(accuracy, timings) }
    }

    static func makeWeights(_ method: RemapMethod, from source: any Grid, to destination: any Grid) throws -> RemapWeights {
        switch method {
        case .conservative:
            guard let s = source as? any BandedGrid, let d = destination as? any BandedGrid else {
                throw ValidationError("conservative needs banded grids (\(source.name) → \(destination.name))")
            }
            return ConservativeWeights.make(from: s, to: d)
        case .bilinear:
            guard let s = source as? any BandedGrid else {
                throw ValidationError("bilinear needs a banded source grid (\(source.name))")
            }
            return BilinearWeights.make(from: s, to: destination)
        case .nearest:
            return NearestWeights.make(from: source, to: destination)
        }
    }

    static func time<R>(_ body: () throws -> R) rethrows -> (R, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        return (r, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Best time of `memcpy` of `bytes` bytes between two buffers touched beforehand.
    static func memcpySeconds(bytes: Int, repetitions: Int) -> Double {
        let from = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        let to = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer {
            from.deallocate()
            to.deallocate()
        }
        memset(from, 1, bytes)
        memset(to, 0, bytes)
        var best = Double.infinity
        for _ in 0...repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            memcpy(to, from, bytes)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }

    func emit(_ a: Accuracy) {
        guard format == "json" else { return }
        print("{\"kind\": \"accuracy\", \"tool\": \"plume\", \"source\": \"\(a.source)\", \"destination\": \"\(a.destination)\", "
              + "\"method\": \"\(a.method.rawValue)\", \"field\": \"\(a.field.rawValue)\", \"reference\": \"\(a.reference)\", "
              + "\"l1\": \(Self.json(a.norms.l1)), \"l2\": \(Self.json(a.norms.l2)), \"linf\": \(Self.json(a.norms.lInfinity)), "
              + "\"skipped\": \(a.norms.skipped)}")
    }

    func emit(_ t: Timing, checksum: Double) {
        guard format == "json" else { return }
        print("{\"kind\": \"timing\", \"tool\": \"plume\", \"source\": \"\(t.source)\", \"destination\": \"\(t.destination)\", "
              + "\"method\": \"\(t.method.rawValue)\", \"links\": \(t.links), \"fields\": \(fields), "
              + "\"cores\": \(ProcessInfo.processInfo.activeProcessorCount), "
              + "\"generation_s\": \(t.generationSeconds), \"apply_s\": \(t.applySeconds), \"source_bytes\": \(t.sourceBytes), "
              + "\"memcpy_s\": \(t.memcpySeconds), \"checksum\": \(Self.json(checksum))}")
    }

    static func json(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

    func printMarkdown(_ accuracy: [Accuracy], _ timings: [Timing]) {
        if !accuracy.isEmpty {
            print("| source → destination | method | field | reference | L1 | L2 | L∞ |")
            print("|---|---|---|---|---|---|---|")
            for a in accuracy {
                print("| \(a.source) → \(a.destination) | \(a.method.rawValue) | \(a.field.rawValue) | \(a.reference) | "
                      + String(format: "%.2e | %.2e | %.2e |", a.norms.l1, a.norms.l2, a.norms.lInfinity))
            }
            print("")
        }
        if !timings.isEmpty {
            print("| source → destination | method | links | generation (ms) | apply, \(fields) fields (ms) | ms/field | GB/s | memcpy GB/s | apply/memcpy |")
            print("|---|---|---|---|---|---|---|---|---|")
            for t in timings {
                let gbps = Double(t.sourceBytes) / t.applySeconds / 1e9, copy = Double(t.sourceBytes) / t.memcpySeconds / 1e9
                print("| \(t.source) → \(t.destination) | \(t.method.rawValue) | \(t.links) | "
                      + String(format: "%.1f | %.1f | %.2f | %.2f | %.2f | %.2f |", t.generationSeconds * 1e3, t.applySeconds * 1e3,
                               t.applySeconds * 1e3 / Double(fields), gbps, copy, gbps / copy))
            }
        }
    }
}
