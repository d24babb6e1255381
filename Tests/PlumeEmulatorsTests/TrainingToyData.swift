import Foundation
import PlumeIO
import Torch
@testable import PlumeEmulators

/// A one-convolution network (3×3, longitude-periodic): enough to learn the toy dynamics.
final class TinyTrainingNetwork: EmulatorNetwork {
    let conv: Conv2d

    init(inputChannels: Int, outputChannels: Int, generator: Generator?) throws {
        conv = try Conv2d(inputChannels, outputChannels, kernelSize: [3, 3], padding: [1, 1],
                          paddingMode: .longitudeCircular, generator: generator)
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor { try conv(input) }
}

/// A tiny weather-like data set on the catalogue grid `latlon5.625` (32 × 64): prognostic `u`
/// (2 levels) moving one cell east per 6-h record plus 0.05 × the forcing `f` (2-D).
enum TrainingToyData {
    static let grid = "latlon5.625"

    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plume-train-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `records` records starting at hour `firstHour` to `path`.
    static func write(to path: String, records: Int, firstHour: Double = 0) throws {
        guard case .success(let g) = EmulatorDataFile.modelGrid(grid) else { throw EmulatorError.invalidRequest("no grid \(grid)") }
        let nLat = g.latitudes.count, nLon = g.longitudes.count, levels = 2
        let cells = nLat * nLon
        func forcing(_ t: Int) -> [Float] {
            var f = [Float](repeating: 0, count: cells)
            for j in 0..<nLat {
                for i in 0..<nLon {
                    let phase = 2 * Double.pi * Double(i + 3 * t) / Double(nLon)
                    f[j * nLon + i] = Float(cos(g.latitudes[j] * .pi / 180) * cos(phase) + 0.3 * sin(Double(j) / 5))
                }
            }
            return f
        }
        var u = [Float](repeating: 0, count: levels * cells)
        for l in 0..<levels {
            for j in 0..<nLat {
                for i in 0..<nLon {
                    let x = 2 * Double.pi * Double(i) / Double(nLon)
                    u[l * cells + j * nLon + i] = Float(Double(l + 1) * cos(g.latitudes[j] * .pi / 180) * sin(2 * x + Double(j) / 7)
                        + 0.5 * cos(3 * x) + 10 * Double(l))
                }
            }
        }
        var uAll: [Float] = [], fAll: [Float] = []
        let offset = Int(firstHour / 6)
        for t in 0..<records {
            let f = forcing(t + offset)
            uAll += u
            fAll += f
            var next = u
            for l in 0..<levels {
                for j in 0..<nLat {
                    for i in 0..<nLon {
                        next[l * cells + j * nLon + i] = u[l * cells + j * nLon + (i + nLon - 1) % nLon] + 0.05 * f[j * nLon + i]
                    }
                }
            }
            u = next
        }
        let dataset = Dataset(
            dimensions: [Dimension(name: "time", length: records), Dimension(name: "level", length: levels),
                         Dimension(name: "lat", length: nLat), Dimension(name: "lon", length: nLon)],
            variables: [
                Variable(name: "time", dimensions: ["time"], shape: [records],
                         attributes: [Attribute("units", .text("hours since 2001-02-27 00:00:00")), Attribute("calendar", .text("standard"))],
                         data: .float64((0..<records).map { firstHour + 6 * Double($0) })),
                Variable(name: "lat", dimensions: ["lat"], shape: [nLat], attributes: [Attribute("units", .text("degrees_north"))],
                         data: .float64(g.latitudes)),
                Variable(name: "lon", dimensions: ["lon"], shape: [nLon], attributes: [Attribute("units", .text("degrees_east"))],
                         data: .float64(g.longitudes)),
                Variable(name: "u", dimensions: ["time", "level", "lat", "lon"], shape: [records, levels, nLat, nLon], data: .float32(uAll)),
                Variable(name: "f", dimensions: ["time", "lat", "lon"], shape: [records, nLat, nLon], data: .float32(fAll)),
            ])
        try NetCDFWriter(deflateLevel: 1).write(dataset, to: path)
    }

    static func definition(_ training: ModelDefinition.Training) -> ModelDefinition {
        ModelDefinition(name: "toy", task: .weather, grid: grid, levels: 2, timeStepHours: 6,
                        variables: .init(prognostic: ["u"], forcing: ["f"], computed: [.latitude, .timeOfYear]),
                        architecture: .unet(UNetConfiguration()), training: training)
    }

    /// An `Emulator.NetworkBuilder` making the tiny network.
    static func networkBuilder(_ architecture: ModelDefinition.Architecture, _ inputs: Int, _ outputs: Int, _ grid: EmulatorGrid,
                               _ generator: Generator?) throws -> any EmulatorNetwork {
        try TinyTrainingNetwork(inputChannels: inputs, outputChannels: outputs, generator: generator)
    }

    /// A new emulator of `definition` on `train` with the tiny network (weights from `seed`).
    static func emulator(_ definition: ModelDefinition, train: EmulatorDataFile, seed: UInt64 = 7) throws -> Emulator {
        let statistics = try NormalisationStatistics.compute(from: train, model: definition)
        var levels: [String: Int] = [:]
        for name in definition.variables.fileVariables { levels[name] = train.levelCount(of: name) }
        let description = TrainingDataDescription(trainFile: train.path, validationFile: nil, records: train.recordCount,
                                                  firstTime: train.times.first?.description ?? "", lastTime: train.times.last?.description ?? "", source: nil)
        return try Emulator(definition: definition, statistics: statistics, grid: train.grid, levels: levels, statics: [:],
                            cellArea: nil, trainingData: description, device: .cpu, generator: try Generator(seed: seed),
                            networkBuilder: networkBuilder)
    }

    /// Training and validation files in a new folder.
    static func files(_ definition: ModelDefinition, trainRecords: Int = 20, validationRecords: Int = 10) throws -> (folder: String, train: EmulatorDataFile, validation: EmulatorDataFile) {
        let folder = try folder()
        try write(to: folder + "/toy-train.nc", records: trainRecords)
        try write(to: folder + "/toy-val.nc", records: validationRecords, firstHour: 6 * 400)
        let model = ModelFile(definition: definition)
        return (folder, try EmulatorDataFile(path: folder + "/toy-train.nc", model: model),
                try EmulatorDataFile(path: folder + "/toy-val.nc", model: model))
    }
}
