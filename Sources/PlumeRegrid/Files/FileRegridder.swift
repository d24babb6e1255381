import Foundation
import PlumeGrids
import PlumeIO

/// Regrids every field of a GRIB or netCDF file to another grid and writes CF netCDF-4.
///
/// The source grid is recognised from the file's latitude/longitude coordinates. Every
/// variable whose trailing dimensions are the grid's is remapped; other variables
/// (time, level, …) are copied. netCDF input is streamed one step of the leading
/// dimension at a time (memory does not grow with the number of time steps), with the
/// fields of a step (levels) remapped in parallel. Each regridded variable keeps its
/// floating type (float64 stays float64: the remap runs in double precision end to end;
/// integers and packed data are widened, never narrowed — `outputType(of:)`). The output is
/// written under a temporary name and renamed when complete.
public struct FileRegridder {
    public var destination: any Grid
    public var method: RemapMethod
    /// Weights to use instead of generating them (SCRIP or ESMF file, e.g. from CDO).
    public var weightsPath: String?
    /// Where to save the weights (SCRIP format, readable by CDO's `remap`).
    public var saveWeightsPath: String?
    /// Line for the output's `history` attribute.
    public var historyLine: String?
    /// zlib level of the output, 0 (none) to 9; 1 compresses float fields nearly as well as
    /// higher levels at a fraction of the time.
    public var deflateLevel: Int32 = 1
    /// Called after each step: (variable, step done, steps).
    public var progress: ((String, Int, Int) -> Void)?

    public init(destination: any Grid, method: RemapMethod = .conservative, weightsPath: String? = nil,
                saveWeightsPath: String? = nil, historyLine: String? = nil) {
        self.destination = destination
        self.method = method
        self.weightsPath = weightsPath
        self.saveWeightsPath = saveWeightsPath
        self.historyLine = historyLine
    }

    /// What a run did.
    public struct Summary: Sendable {
        public var sourceGrid: String
        public var regridded: [String]
        public var copied: [String]
        public var weightLinks: Int
    }

    /// Reads values of one variable, whole or for one index of its first dimension.
    enum Input {
        case netCDF(NetCDFFile)
        case memory(Dataset)

        var dataset: Dataset {
            switch self {
            case .netCDF(let f): f.dataset
            case .memory(let d): d
            }
        }

        /// The decoded values of one variable in float32, whole or for one step.
        func values(_ v: Variable, step: Int?) throws -> [Float] {
            switch self {
            case .netCDF(let file):
                let slab = Self.slab(v, step)
                if v.dataType == .float32 && !file.packing(v).isPacked { return try file.readFloat(v.name, slab) }
                return try file.read(v.name, slab).map(Float.init)
            case .memory(let d):
                guard let data = d.variable(v.name)?.data else { return [] }
                let all: [Float] = switch data {
                case .float32(let x): x
                default: data.doubles.map(Float.init)
                }
                return Self.slice(all, v, step)
            }
        }

        /// The decoded values of one variable in double precision, whole or for one step.
        func doubles(_ v: Variable, step: Int?) throws -> [Double] {
            switch self {
            case .netCDF(let file): try file.read(v.name, Self.slab(v, step))
            case .memory(let d): Self.slice(d.variable(v.name)?.data?.doubles ?? [], v, step)
            }
        }

        /// The whole variable, or index `step` of its first dimension.
        static func slab(_ v: Variable, _ step: Int?) -> Hyperslab {
            var slab = Hyperslab.all(v.shape)
            if let step { slab.start[0] = step; slab.count[0] = 1 }
            return slab
        }

        static func slice<T>(_ all: [T], _ v: Variable, _ step: Int?) -> [T] {
            guard let step else { return all }
            let size = v.shape.dropFirst().reduce(1, *)
            return Array(all[(step * size)..<((step + 1) * size)])
        }
    }

    public func run(input path: String, output: String) throws -> Summary {
        let input: Input
        switch try FileFormat.detect(path) {
        case .grib: input = .memory(try DatasetLoader.load(path).dataset)
        case .netCDF, .hdf5: input = .netCDF(try NetCDFFile(path: path))
        }
        let structure = input.dataset

        // Source grid from the coordinates.
        guard let latitude = GridFromData.latitudeNames.lazy.compactMap({ structure.variable($0) }).first,
              let longitude = GridFromData.longitudeNames.lazy.compactMap({ structure.variable($0) }).first else {
            throw RegridFileError(file: path, variable: "latitude/longitude", reason: "no latitude/longitude coordinates")
        }
        var coordinates = Dataset(format: structure.format, dimensions: structure.dimensions, variables: [], attributes: [], groups: [])
        for v in [latitude, longitude] {
            var copy = v
            copy.data = .float64(try input.doubles(v, step: nil))
            coordinates.variables.append(copy)
        }
        let source = try GridFromData.grid(from: coordinates, source: path)
        let gridDimensions = latitude.dimensions == longitude.dimensions ? latitude.dimensions : latitude.dimensions + longitude.dimensions
        guard gridDimensions.count >= 1 else {
            throw RegridFileError(file: path, variable: latitude.name, reason: "latitude has no dimension")
        }

        let weights = try makeWeights(source: source, file: path)
        if let saveWeightsPath {
            try RemapWeightsFile.write(weights, source: source, destination: destination, to: saveWeightsPath, format: .scrip)
        }
        let remapper = Remapper(weights)

        // Output structure.
        let (destinationDimensions, destinationCoordinates) = CFGridCoordinates.make(for: destination)
        var out = Dataset(format: "netCDF-4", dimensions: [], variables: [], attributes: structure.attributes, groups: [])
        for d in structure.dimensions where !gridDimensions.contains(d.name) { out.dimensions.append(d) }
        out.dimensions += destinationDimensions
        var regridded: [Variable] = []
        var copied: [String] = []
        let dropped: Set<String> = ["_FillValue", "missing_value", "scale_factor", "add_offset", "valid_min", "valid_max", "valid_range", "_Unsigned"]
        for v in structure.variables {
            if v.name == latitude.name || v.name == longitude.name { continue }
            let usesGrid = v.dimensions.contains { gridDimensions.contains($0) }
            if usesGrid {
                guard Array(v.dimensions.suffix(gridDimensions.count)) == gridDimensions, v.dataType.isNumeric else { continue }
                let leading = Array(v.dimensions.dropLast(gridDimensions.count))
                let leadingShape = Array(v.shape.dropLast(gridDimensions.count))
                var attributes = v.attributes.filter { !dropped.contains($0.name) }
                let type = Self.outputType(of: v)
                attributes.set("_FillValue", type == .float64 ? .doubles([.nan]) : .floats([.nan]))
                let o = Variable(name: v.name, dimensions: leading + destinationDimensions.map(\.name),
                                 shape: leadingShape + destinationDimensions.map(\.length), dataType: type,
                                 attributes: attributes, data: nil)
                out.variables.append(o)
                regridded.append(v)
            } else if v.dataType.isNumeric {
                // Copied exactly: integers stay integers, packed values are decoded (and lose
                // their packing attributes) as DatasetLoader does.
                switch input {
                case .netCDF(let file): out.variables.append(try DatasetLoader.loaded(v, from: file, name: v.name))
                case .memory(let d): out.variables.append(d.variable(v.name) ?? v)
                }
                copied.append(v.name)
            }
        }
        out.variables += destinationCoordinates
        guard !regridded.isEmpty else {
            throw RegridFileError(file: path, variable: "(all)", reason: "no variable has the grid dimensions \(gridDimensions) as its last dimensions")
        }

        let writer = NetCDFWriter(deflateLevel: deflateLevel, historyLine: historyLine)
        try writer.write(out, to: output) { slabs in
            for v in regridded {
                let leadingShape = Array(v.shape.dropLast(gridDimensions.count))
                let steps = leadingShape.first ?? 1
                let fieldsPerStep = leadingShape.dropFirst().reduce(1, *)
                let double = Self.outputType(of: v) == .float64
                for step in 0..<steps {
                    let destinationShape = destinationDimensions.map(\.length)
                    let start = leadingShape.isEmpty ? destinationShape.map { _ in 0 }
                        : [step] + leadingShape.dropFirst().map { _ in 0 } + destinationShape.map { _ in 0 }
                    let count = leadingShape.isEmpty ? destinationShape : [1] + Array(leadingShape.dropFirst()) + destinationShape
                    func check(_ n: Int) throws {
                        guard n == fieldsPerStep * weights.sourceCount else {
                            throw RegridFileError(file: path, variable: v.name,
                                                  reason: "step \(step) holds \(n) values, expected \(fieldsPerStep) × \(weights.sourceCount)")
                        }
                    }
                    if double {
                        let values = try input.doubles(v, step: leadingShape.isEmpty ? nil : step)
                        try check(values.count)
                        try slabs.write(v.name, start: start, count: count, values: try remapper.apply(fields: values, count: fieldsPerStep))
                    } else {
                        let values = try input.values(v, step: leadingShape.isEmpty ? nil : step)
                        try check(values.count)
                        try slabs.write(v.name, start: start, count: count, values: try remapper.apply(fields: values, count: fieldsPerStep))
                    }
                    progress?(v.name, step + 1, steps)
                }
            }
        }
        return Summary(sourceGrid: source.name, regridded: regridded.map(\.name), copied: copied, weightLinks: weights.linkCount)
    }

    /// The type a regridded variable is written with: never narrower than what it holds.
    /// float32 and float64 stay as they are; packed data (`scale_factor`/`add_offset`) take
    /// the type of their packing attributes, as CF defines the unpacked type; integers become
    /// float32 up to 16 bits (exact) and float64 beyond, since remapped values are fractions.
    static func outputType(of v: Variable) -> DataType {
        let packingTypes = ["scale_factor", "add_offset"].compactMap { v.attributes[$0] }
        if !packingTypes.isEmpty {
            return packingTypes.contains { if case .doubles = $0 { true } else { false } } ? .float64 : .float32
        }
        switch v.dataType {
        case .float32, .int8, .uint8, .int16, .uint16: return .float32
        default: return .float64
        }
    }

    func makeWeights(source: any Grid, file: String) throws -> RemapWeights {
        if let weightsPath {
            let w = try RemapWeightsFile.read(weightsPath)
            guard w.sourceCount == source.cellCount, w.destinationCount == destination.cellCount else {
                throw RegridFileError(file: weightsPath, variable: "weights",
                                      reason: "weights map \(w.sourceCount) → \(w.destinationCount) cells, but \(file) has \(source.cellCount) and \(destination.name) \(destination.cellCount)")
            }
            return w
        }
        switch method {
        case .conservative:
            guard let s = source as? any BandedGrid, let d = destination as? any BandedGrid else {
                throw RegridFileError(file: file, variable: "method", reason: "conservative remapping needs grids of lat-lon rows (lat-lon, Gaussian); use --method bilinear or nearest, or --weights")
            }
            return ConservativeWeights.make(from: s, to: d)
        case .bilinear:
            guard let s = source as? any BandedGrid else {
                throw RegridFileError(file: file, variable: "method", reason: "bilinear remapping needs a source grid of lat-lon rows")
            }
            return BilinearWeights.make(from: s, to: destination)
        case .nearest:
            return NearestWeights.make(from: source, to: destination)
        }
    }
}

/// A regridding failure naming the file and the variable or key.
public struct RegridFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var variable: String
    public var reason: String

    public init(file: String, variable: String, reason: String) {
        self.file = file
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(file): '\(variable)': \(reason)" }
}
