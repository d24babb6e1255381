import Foundation
import PlumeConservation
import PlumeGrids
import PlumeIO
import PlumeSpectral
import Torch

/// The equivalent-barotropic forecast from a real analysis (Charney, Fjørtoft and von
/// Neumann 1950, here with the full shallow-water equations): the height of one pressure
/// surface as the fluid depth, the winds of that level or — when the analysis has only
/// geopotential — winds in linear balance with it (f ζ = g ∇²h, divergence 0, with |f| held
/// at its 20° value nearer the equator), integrated by the spectral shallow-water model
/// (no orography, no forcing, ∇⁸ hyperdiffusion) and written every `outputHours` on the
/// output grid as CF netCDF (u, v, h), record 0 being the analysis itself.
public struct BarotropicForecast {
    public var modelGrid: GaussianGrid
    public var truncation: Int
    public var outputGrid: (any Grid)?
    public var days: Double
    public var outputHours: Double = 6
    public var deflateLevel: Int32 = 1
    public var historyLine: String?

    public init(modelGrid: GaussianGrid, truncation: Int, outputGrid: (any Grid)?, days: Double) {
        self.modelGrid = modelGrid
        self.truncation = truncation
        self.outputGrid = outputGrid
        self.days = days
    }

    /// The model's transform (float64).
    public func transform() throws -> SphericalHarmonicTransform {
        try SphericalHarmonicTransform(nlat: 2 * modelGrid.n, nlon: 4 * modelGrid.n, lmax: truncation + 1, mmax: truncation + 1,
                                       grid: .gaussian, radius: PhysicalConstants.earthRadius, dtype: .float64)
    }

    /// Runs from `analysis` and writes `path` (atomically). Returns the maximum wind, m/s.
    @discardableResult
    public func run(_ analysis: BarotropicAnalysis, to path: String) throws -> Double {
        let transform = try transform()
        let nlat = transform.nlat, nlon = transform.nlon
        let timeStep = ShallowWaterConfiguration.suggestedTimeStep(truncation: truncation)
        let configuration = ShallowWaterConfiguration(timeStep: timeStep)
        let model = try ShallowWaterModel(transform: transform, configuration: configuration)
        let h = try Tensor(analysis.heightM, shape: [nlat, nlon])
        var state: ShallowWaterState
        if let u = analysis.eastwardWind, let v = analysis.northwardWind {
            state = try model.state(u: Tensor(u, shape: [nlat, nlon]), v: Tensor(v, shape: [nlat, nlon]), h: h)
        } else {
            // Linear balance: ζ = g ∇²h / f, |f| ≥ 2Ω sin 20°.
            let floor = 2 * configuration.rotationRate * sin(20 * Double.pi / 180)
            let coriolis = transform.latitudes.map { latitude -> Double in
                let f = 2 * configuration.rotationRate * sin(latitude)
                return f >= 0 ? max(f, floor) : min(f, -floor)
            }
            let inverseF = try Tensor(coriolis.flatMap { f in [Double](repeating: 1 / f, count: nlon) }, shape: [nlat, nlon])
            let laplacian = try transform.inverse(transform.laplacian(transform.forward(h)))
            let vorticity = try transform.forward(laplacian * configuration.gravity * inverseF)
            state = try ShallowWaterState(geopotential: transform.forward(h * configuration.gravity), vorticity: vorticity,
                                          divergence: vorticity * 0.0)
        }
        // A forecast starts from the state with its gravity waves filtered out (the analysis
        // itself, --days 0, is written as it is: it is the verifying truth).
        if days > 0 { state = try Self.digitalFilter(state, model: model, timeStep: timeStep) }
        let output = try WeatherOutputGrid(destination: outputGrid, modelGrid: modelGrid)
        let interval = outputHours * 3600
        let stepsPerOutput = Int((interval / timeStep).rounded())
        let records = Int((days * 24 / outputHours).rounded()) + 1
        let times = (0..<records).map { Double($0) * outputHours }
        let dataset = makeDataset(output: output, times: times, analysis: analysis)
        let writer = NetCDFWriter(deflateLevel: deflateLevel, source: "Plume equivalent-barotropic shallow-water forecast", historyLine: historyLine)
        var maximumWind = 0.0
        let horizontalStart = [Int](repeating: 0, count: output.horizontalShape.count)
        try writer.write(dataset, to: path) { slabs in
            for k in 0..<records {
                let fields = try model.gridFields(state)
                let wind = try (fields.u.square() + fields.v.square()).max().item().squareRoot()
                guard wind.isFinite, wind < WeatherGenerator.maximumWind else {
                    throw BarotropicError.blowUp(day: Double(k) * outputHours / 24, maximumWind: wind)
                }
                maximumWind = max(maximumWind, wind)
                let stacked = try Tensor.stack([fields.u, fields.v, fields.h], dim: 0)
                let values = try output.remap(try stacked.contiguous().toArray(of: Double.self), count: 3)
                let n = output.cellCount
                for (f, name) in ["u", "v", "h"].enumerated() {
                    try slabs.write(name, start: [k] + horizontalStart, count: [1] + output.horizontalShape,
                                    values: values[(f * n)..<((f + 1) * n)].map { Float($0) })
                }
                if k < records - 1 { for _ in 0..<stepsPerOutput { state = try model.step(state) } }
            }
        }
        return maximumWind
    }

    /// Digital filter initialisation (Lynch and Huang 1992): the state integrated 3 hours
    /// back and 3 hours forward without diffusion, and the states of every step averaged with
    /// Lanczos-windowed low-pass weights (cut-off period 6 hours). Keeps the slow, balanced
    /// flow and removes the gravity waves an imbalanced analysis would excite.
    static func digitalFilter(_ state: ShallowWaterState, model: ShallowWaterModel, timeStep: Double,
                              spanHours: Double = 3, cutoffHours: Double = 6) throws -> ShallowWaterState {
        let n = max(1, Int((spanHours * 3600 / timeStep).rounded()))
        let theta = 2 * Double.pi * timeStep / (cutoffHours * 3600)
        var weights = [theta / Double.pi]
        for k in 1...n {
            let x = Double(k)
            let window = sin(x * Double.pi / Double(n + 1)) / (x * Double.pi / Double(n + 1))
            weights.append(sin(x * theta) / (x * Double.pi) * window)
        }
        let total = weights[0] + 2 * weights.dropFirst().reduce(0, +)
        weights = weights.map { $0 / total }
        let noDiffusion = try model.hyperdiffusionFactor * 0.0 + 1.0
        var sum = try state.coefficients * weights[0]
        var forward = state, backward = state
        for k in 1...n {
            forward = try model.advance(forward, by: timeStep, factor: noDiffusion)
            backward = try model.advance(backward, by: -timeStep, factor: noDiffusion)
            sum = try sum + (forward.coefficients + backward.coefficients) * weights[k]
        }
        return ShallowWaterState(coefficients: sum, time: state.time)
    }

    func makeDataset(output: WeatherOutputGrid, times: [Double], analysis: BarotropicAnalysis) -> Dataset {
        let horizontal = output.horizontalDimensions
        let shape = [times.count] + output.horizontalShape
        func field(_ name: String, _ standardName: String, _ longName: String, _ units: String) -> Variable {
            Variable(name: name, dimensions: ["time"] + horizontal, shape: shape, dataType: .float32,
                     attributes: [Attribute("standard_name", .text(standardName)), Attribute("long_name", .text(longName)),
                                  Attribute("units", .text(units))])
        }
        var variables = output.coordinates
        variables.insert(Variable(name: "time", dimensions: ["time"], shape: [times.count],
                                  attributes: [Attribute("standard_name", .text("time")), Attribute("long_name", .text("time")),
                                               Attribute("units", .text("hours since \(analysis.time.isoText)")),
                                               Attribute("calendar", .text("proleptic_gregorian")), Attribute("axis", .text("T"))],
                                  data: .float64(times)), at: 0)
        variables += [
            field("u", "eastward_wind", "eastward wind", "m s-1"),
            field("v", "northward_wind", "northward wind", "m s-1"),
            field("h", "geopotential_height", "height of the pressure surface (shallow-water depth)", "m"),
        ]
        let attributes = [
            Attribute("Conventions", .text("CF-1.8")),
            Attribute("title", .text("Equivalent-barotropic shallow-water forecast")),
            Attribute("plume_model", .text("shallow-water-barotropic")),
            Attribute("plume_init_time", .text(analysis.time.isoText)),
            Attribute("plume_analysis", .text(analysis.source)),
            Attribute("plume_initial_winds", .text(analysis.eastwardWind == nil ? "linear balance with the height (f zeta = g lap h)" : "from the analysis")),
            Attribute("plume_initialisation", .text(days > 0 ? "digital filter (Lynch and Huang 1992): +-3 h, cut-off 6 h, Lanczos window" : "none (the analysis)")),
            Attribute("plume_model_grid", .text(modelGrid.name)),
            Attribute("plume_truncation", .text("T\(truncation)")),
        ]
        return Dataset(dimensions: [PlumeIO.Dimension(name: "time", length: times.count)] + output.dimensions,
                       variables: variables, attributes: attributes)
    }
}

extension CFDate {
    /// `YYYY-MM-DD HH:MM:SS`, for CF time units.
    var isoText: String { description.replacingOccurrences(of: "T", with: " ") }
}
