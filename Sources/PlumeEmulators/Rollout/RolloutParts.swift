import Foundation
import PlumeIO
import PlumeSupport

/// The folder `OUTPUT.parts/` of a rollout under way: the request (`request.json`) and
/// the segments written so far (`segment-NNNNNN.nc`, CDF5 files named by their first record), each
/// written atomically, so a killed rollout leaves only complete segments.
struct RolloutParts {
    let folder: String

    init(output: String) { folder = output + ".parts" }

    private var requestPath: String { folder + "/request.json" }

    func path(ofSegmentStartingAt record: Int) -> String {
        folder + "/" + String(format: "segment-%06d.nc", record)
    }

    func segmentStart(containing record: Int, length: Int) -> Int { record / length * length }

    func create(for request: RolloutRequest) throws(EmulatorError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try AtomicFile.write(try encoder.encode(request), to: requestPath)
        } catch {
            throw .failed(context: "starting rollout folder \(folder)", reason: "\(error)")
        }
    }

    /// Records held by the complete segments, which must follow each other from record 0.
    /// - Throws: when the folder belongs to another request.
    func completedRecords(matching request: RolloutRequest) throws(EmulatorError) -> Int {
        guard let data = FileManager.default.contents(atPath: requestPath),
              let earlier = try? JSONDecoder().decode(RolloutRequest.self, from: data) else {
            throw .invalidRequest("\(folder) has no readable request.json: it is not a Plume rollout in progress; delete it to start again")
        }
        guard earlier == request else {
            throw .invalidRequest("\(folder) belongs to another rollout (\(earlier.checkpoint) from \(earlier.start), \(earlier.steps) steps, segments of \(earlier.segmentSteps)); delete it to start this one")
        }
        var records = 0
        while FileManager.default.fileExists(atPath: path(ofSegmentStartingAt: records)) {
            let file: NetCDFFile
            do {
                file = try NetCDFFile(path: path(ofSegmentStartingAt: records))
            } catch {
                throw .failed(context: "resuming from \(path(ofSegmentStartingAt: records))", reason: "\(error)")
            }
            records += file.dataset.dimension("time")?.length ?? 0
        }
        return records
    }

    /// The last record of the segment starting at `segmentStart`, for `names`.
    func lastRecord(of names: [String], segmentStart: Int, levels: (String) -> Int,
                    grid: (Int, Int)) throws(EmulatorError) -> [String: [Float]] {
        let path = path(ofSegmentStartingAt: segmentStart)
        do {
            let file = try NetCDFFile(path: path)
            let count = file.dataset.dimension("time")?.length ?? 0
            var out: [String: [Float]] = [:]
            for name in names {
                let n = levels(name)
                let slab = Hyperslab(start: [count - 1, 0, 0, 0], count: [1, n, grid.0, grid.1])
                out[name] = try file.readFloat(name, slab)
            }
            return out
        } catch {
            throw .failed(context: "resuming from \(path)", reason: "\(error)")
        }
    }

    /// Writes `segment` atomically.
    func write(_ segment: RolloutSegment, variables: [String], levels: (String) -> Int,
               grid: (Int, Int)) throws(EmulatorError) {
        let n = segment.count
        var dataset = Dataset(dimensions: [Dimension(name: "time", length: n), Dimension(name: "lat", length: grid.0),
                                           Dimension(name: "lon", length: grid.1)],
                              variables: [Variable(name: "time", dimensions: ["time"], shape: [n], data: .float64(segment.times))])
        var levelDimensions: Set<Int> = []
        for name in variables {
            let l = levels(name)
            if levelDimensions.insert(l).inserted { dataset.dimensions.append(Dimension(name: "level\(l)", length: l)) }
            dataset.variables.append(Variable(name: name, dimensions: ["time", "level\(l)", "lat", "lon"],
                                              shape: [n, l, grid.0, grid.1], data: .float32(segment.values[name] ?? [])))
        }
        do {
            try NetCDFWriter(format: .cdf5).write(dataset, to: path(ofSegmentStartingAt: segment.start))
        } catch {
            throw .failed(context: "writing rollout segment \(path(ofSegmentStartingAt: segment.start))", reason: "\(error)")
        }
    }
}
