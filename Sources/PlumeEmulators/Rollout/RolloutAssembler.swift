import Foundation
import PlumeIO
import PlumeSupport

/// Joins a rollout's segments into the final CF netCDF file, streaming one segment at a
/// time, and checks the tracer budget on the way (transport).
struct RolloutAssembler {
    let request: RolloutRequest
    let emulator: Emulator
    let initial: EmulatorDataFile
    let units: CFTimeUnits
    let timeValues: [Double]
    let variables: [String]
    let levels: (String) -> Int
    let parts: RolloutParts

    struct Result {
        var worstMassResidual: Double?
        var minimumTracer: Double?
    }

    func write() throws -> Result {
        let definition = emulator.definition
        let p = definition.processing
        let nLat = initial.grid.latitudes.count, nLon = initial.grid.longitudes.count
        let latName = initial.latitudeName, lonName = initial.longitudeName
        let records = timeValues.count
        let source = try? NetCDFFile(path: initial.path)
        func attributes(_ name: String) -> [Attribute] {
            (source?.dataset.variable(name)?.attributes ?? []).filter { !["_FillValue", "missing_value", "scale_factor", "add_offset", "_ChunkSizes"].contains($0.name) }
        }
        var timeAttributes = [Attribute("standard_name", .text("time")), Attribute("units", .text(initial.timeUnits))]
        if let calendar = initial.calendar { timeAttributes.append(Attribute("calendar", .text(calendar))) }
        let hasLevels = variables.contains { levels($0) > 1 }
        var dimensions = [Dimension(name: "time", length: records)]
        var coordinates: [Variable] = [Variable(name: "time", dimensions: ["time"], shape: [records], attributes: timeAttributes,
                                                data: .float64(timeValues))]
        if hasLevels {
            dimensions.append(Dimension(name: "level", length: definition.levels))
            if let level = initial.levelCoordinate {
                coordinates.append(Variable(name: "level", dimensions: ["level"], shape: [definition.levels],
                                            attributes: level.units.map { [Attribute("units", .text($0))] } ?? [],
                                            data: .float64(level.values)))
            }
        }
        dimensions += [Dimension(name: latName, length: nLat), Dimension(name: lonName, length: nLon)]
        coordinates.append(Variable(name: latName, dimensions: [latName], shape: [nLat],
                                    attributes: [Attribute("standard_name", .text("latitude")), Attribute("units", .text("degrees_north"))],
                                    data: .float64(initial.grid.latitudes)))
        coordinates.append(Variable(name: lonName, dimensions: [lonName], shape: [nLon],
                                    attributes: [Attribute("standard_name", .text("longitude")), Attribute("units", .text("degrees_east"))],
                                    data: .float64(initial.grid.longitudes)))
        let cellArea = emulator.cellArea ?? initial.cellArea
        if definition.task == .transport, let cellArea {
            coordinates.append(Variable(name: p.cellArea, dimensions: [latName, lonName], shape: [nLat, nLon],
                                        attributes: [Attribute("units", .text("m2")), Attribute("standard_name", .text("cell_area"))],
                                        data: .float32(cellArea.map(Float.init))))
        }
        var fields: [Variable] = []
        for name in variables {
            let l = levels(name)
            var a = attributes(name)
            if p.fluxes.contains(name) {
                a.append(Attribute("comment", .text("applied by the emulator's surface-flux scheme over [t, t + \(definition.timeStepHours) h]")))
            }
            fields.append(l > 1
                ? Variable(name: name, dimensions: ["time", "level", latName, lonName], shape: [records, l, nLat, nLon], dataType: .float32, attributes: a)
                : Variable(name: name, dimensions: ["time", latName, lonName], shape: [records, nLat, nLon], dataType: .float32, attributes: a))
        }
        let start = (try? request.startDate()).map { "\($0)" } ?? request.start
        let globals = [
            Attribute("title", .text("Plume emulator rollout")),
            Attribute("plume_model", .text(definition.name)),
            Attribute("plume_architecture", .text(definition.architecture.kind.rawValue)),
            Attribute("plume_checkpoint", .text(request.checkpoint)),
            Attribute("plume_init_file", .text(request.initialFile)),
            Attribute("plume_init_time", .text(start)),
            Attribute("plume_time_step_hours", .doubles([definition.timeStepHours])),
            Attribute("plume_version", .text(emulator.info.plumeVersion)),
            Attribute("plume_mass_fixer", .text(definition.task == .transport ? p.massFixer : "none")),
        ]
        let dataset = Dataset(dimensions: dimensions, variables: coordinates + fields, attributes: globals)

        var budget = BudgetCheck(timeStep: definition.timeStepHours * 3600, cellArea: cellArea)
        let isTransport = definition.task == .transport
        let writer = NetCDFWriter()
        try writer.write(dataset, to: request.output) { slabs in
            var record = 0
            while record < records {
                let path = parts.path(ofSegmentStartingAt: record)
                let file = try NetCDFFile(path: path)
                let count = file.dataset.dimension("time")?.length ?? 0
                guard count > 0 else { throw EmulatorError.failed(context: "joining \(path)", reason: "an empty segment") }
                var values: [String: [Float]] = [:]
                for name in variables {
                    let v = try file.readFloat(name)
                    values[name] = v
                    let l = levels(name)
                    let start = l > 1 ? [record, 0, 0, 0] : [record, 0, 0]
                    let shape = l > 1 ? [count, l, nLat, nLon] : [count, nLat, nLon]
                    try slabs.write(name, start: start, count: shape, values: v)
                }
                if isTransport, let q = values[p.tracer], let m = values[p.airMass] {
                    let perRecord = levels(p.tracer) * nLat * nLon
                    for r in 0..<count {
                        var flux = [Double](repeating: 0, count: nLat * nLon)
                        if p.surfaceFlux {
                            for f in p.fluxes {
                                guard let fv = values[f] else { continue }
                                for i in 0..<(nLat * nLon) { flux[i] += Double(fv[r * nLat * nLon + i]) }
                            }
                        }
                        budget.add(q: q[(r * perRecord)..<((r + 1) * perRecord)], airMass: m[(r * perRecord)..<((r + 1) * perRecord)],
                                   flux: flux)
                    }
                }
                record += count
            }
        }
        return Result(worstMassResidual: isTransport ? budget.worst : nil, minimumTracer: isTransport ? budget.minimum : nil)
    }
}

/// The tracer budget of consecutive records: |M(k+1) − M(k) − S(k)| / M(k+1), with
/// M = Σ q·m (10⁶ kg, q in 10⁻⁶ kg/kg, m in Pg) and S = Σ F·A·Δt / 10⁶.
struct BudgetCheck {
    let timeStep: Double
    let cellArea: [Double]?
    private var previous: (mass: Double, source: Double)?
    private(set) var worst = 0.0
    private(set) var minimum = Double.infinity

    init(timeStep: Double, cellArea: [Double]?) {
        self.timeStep = timeStep
        self.cellArea = cellArea
    }

    mutating func add(q: ArraySlice<Float>, airMass: ArraySlice<Float>, flux: [Double]) {
        var mass = 0.0
        for (a, b) in zip(q, airMass) {
            mass += Double(a) * Double(b)
            minimum = Swift.min(minimum, Double(a))
        }
        var source = 0.0
        if let cellArea {
            for (f, area) in zip(flux, cellArea) { source += f * area * timeStep / 1e6 }
        }
        if let previous, mass != 0 {
            worst = Swift.max(worst, abs(mass - previous.mass - previous.source) / abs(mass))
        }
        previous = (mass, source)
    }
}
