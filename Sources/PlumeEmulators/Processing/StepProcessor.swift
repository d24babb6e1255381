import Foundation
import PlumeConservation
import Torch

/// The pre- and post-processing around an emulator network, shared by training and
/// inference (CarbonBench, Benson et al. 2024):
///
/// - input channels, in order: each prognostic variable at t (normalised per level; the tracer
///   also centred), with a physics prior its prior at t + Δt (normalised and centred alike),
///   each forcing at t, each forcing at t + Δt, each static variable (all normalised per level), then the computed inputs (sin/cos latitude, sin/cos of the time of year);
/// - output: the normalised one-step change of each prognostic variable, per level:
///   q(t+Δt) = q(t) + y·σΔ[l] + μΔ[l]; with a physics prior the correction to it:
///   q(t+Δt) = prior + y·σΔ[l];
/// - transport: with `fix` (inference), negatives clamped and the mass fixer applied; then the
///   explicit surface flux into the lowest layer (training and inference); with `fix`, any cell
///   the flux drove negative is clamped and the sample rescaled to keep its global mass;
/// - loss: MSE weighted by cos φ / mean(cos φ) and 1/σΔ[l]², plus `spectral_loss_weight` ×
///   the `SpectralLoss` of the normalised changes when that weight is positive.
public final class StepProcessor {
    public let definition: ModelDefinition
    public let statistics: NormalisationStatistics
    public let grid: EmulatorGrid
    /// Levels of each variable the model reads.
    public let levels: [String: Int]
    public let device: Device
    /// Channels of `networkInput`.
    public let inputChannels: Int
    /// Channels of the network's output.
    public let outputChannels: Int
    private let means: [String: Tensor]
    private let stds: [String: Tensor]
    private let deltaMeans: [String: Tensor]
    private let deltaStds: [String: Tensor]
    /// `[1, 1, lat, 1]`: cos φ / mean(cos φ).
    let latitudeWeights: Tensor
    private let latitudeChannels: Tensor
    private var staticChannels: Tensor?
    /// `[lat, lon]`, m² (transport).
    private let cellArea: Tensor?
    private let fixer: MassFixer?
    /// The spectral term of the loss (`training.spectral_loss_weight` > 0).
    private let spectralLoss: SpectralLoss?

    /// - Parameters:
    ///   - levels: levels of every variable the model reads (from `EmulatorDataFile.levelCount`).
    ///   - statics: values of every static variable, `[level, lat, lon]` row-major.
    ///   - cellArea: m², `[lat, lon]` row-major; required for transport with surface flux.
    public init(definition: ModelDefinition, statistics: NormalisationStatistics, grid: EmulatorGrid,
                levels: [String: Int], statics: [String: [Float]], cellArea: [Double]?,
                device: Device = .cpu) throws(EmulatorError) {
        self.definition = definition
        self.statistics = statistics
        self.grid = grid
        self.levels = levels
        self.device = device
        let v = definition.variables
        let nLat = grid.latitudes.count, nLon = grid.longitudes.count
        func level(_ name: String) -> Int { levels[name] ?? 1 }
        var missing: [String] = []
        for name in v.fileVariables where statistics.variables[name]?.mean.count != level(name) {
            missing.append("normalisation statistics of '\(name)' (\(level(name)) levels)")
        }
        for name in v.prognostic where statistics.deltas[name]?.mean.count != level(name) {
            missing.append("one-step change statistics of '\(name)' (\(level(name)) levels)")
        }
        for name in v.static where statics[name]?.count != level(name) * nLat * nLon {
            missing.append("values of static '\(name)' (\(level(name) * nLat * nLon) expected)")
        }
        if definition.task == .transport, definition.processing.surfaceFlux, cellArea?.count != nLat * nLon {
            missing.append("cell areas '\(definition.processing.cellArea)' (\(nLat * nLon) values)")
        }
        guard missing.isEmpty else {
            throw .failed(context: "preparing the processing of '\(definition.name)'", reason: "missing " + missing.joined(separator: "; "))
        }
        let priorChannels = definition.processing.usesPhysicsPrior ? v.prognostic.map(level).reduce(0, +) : 0
        inputChannels = v.prognostic.map(level).reduce(0, +) + priorChannels + 2 * v.forcing.map(level).reduce(0, +)
            + v.static.map(level).reduce(0, +) + v.computed.map(\.channels).reduce(0, +)
        outputChannels = v.prognostic.map(level).reduce(0, +)
        spectralLoss = definition.training.spectralLossWeight > 0 ? try SpectralLoss(grid: grid, device: device) : nil
        do {
            func column(_ values: [Double]) throws(TorchError) -> Tensor {
                try Tensor(values.map(Float.init), shape: [1, values.count, 1, 1]).to(device: device)
            }
            var means: [String: Tensor] = [:], stds: [String: Tensor] = [:]
            for (name, m) in statistics.variables where levels[name] != nil {
                means[name] = try column(m.mean)
                stds[name] = try column(m.std)
            }
            var deltaMeans: [String: Tensor] = [:], deltaStds: [String: Tensor] = [:]
            for (name, m) in statistics.deltas where levels[name] != nil {
                deltaMeans[name] = try column(m.mean)
                deltaStds[name] = try column(m.std)
            }
            self.means = means
            self.stds = stds
            self.deltaMeans = deltaMeans
            self.deltaStds = deltaStds
            let radians = grid.latitudes.map { $0 * Double.pi / 180 }
            let cosines = radians.map { Foundation.cos($0) }
            let meanCos = cosines.reduce(0, +) / Double(max(cosines.count, 1))
            latitudeWeights = try Tensor(cosines.map { Float($0 / meanCos) }, shape: [1, 1, nLat, 1]).to(device: device)
            var latitudeValues: [Float] = []
            for r in radians { latitudeValues += Array(repeating: Float(sin(r)), count: nLon) }
            for r in radians { latitudeValues += Array(repeating: Float(cos(r)), count: nLon) }
            latitudeChannels = try Tensor(latitudeValues, shape: [1, 2, nLat, nLon]).to(device: device)
            if let areas = cellArea, areas.count == nLat * nLon {
                self.cellArea = try Tensor(areas.map(Float.init), shape: [nLat, nLon]).to(device: device)
            } else {
                self.cellArea = nil
            }
            switch definition.processing.massFixer {
            case "scale": fixer = .scale
            case "shift": fixer = .shift
            default: fixer = nil
            }
            if !v.static.isEmpty {
                var parts: [Tensor] = []
                for name in v.static {
                    let values = try Tensor(statics[name] ?? [], shape: [1, level(name), nLat, nLon]).to(device: device)
                    parts.append(try normalised(name, values))
                }
                staticChannels = try Tensor.cat(parts, dim: 1)
            }
        } catch {
            throw .failed(context: "preparing the processing of '\(definition.name)'", reason: "\(error)")
        }
    }

    /// `(x − μ[l]) / σ[l]` of variable `name`.
    func normalised(_ name: String, _ x: Tensor) throws(TorchError) -> Tensor {
        guard let mean = means[name], let std = stds[name] else {
            throw TorchError(operation: "normalise", message: "no statistics for '\(name)'")
        }
        return try (x - mean) / std
    }

    /// The network's input `[batch, inputChannels, lat, lon]` for `batch`.
    public func networkInput(_ batch: StepBatch) throws -> Tensor {
        let v = definition.variables
        var parts: [Tensor] = []
        let usesPrior = definition.processing.usesPhysicsPrior
        for (fields, role) in [(batch.state, "state")] + (usesPrior ? [(batch.prior, "physics prior")] : []) {
            for name in v.prognostic {
                var x = try normalised(name, try field(fields, name, role))
                if definition.task == .transport, definition.processing.centreTracer, name == definition.processing.tracer {
                    x = try x - x.mean(dims: [1, 2, 3], keepDim: true)
                }
                parts.append(x)
            }
        }
        for name in v.forcing { parts.append(try normalised(name, try field(batch.forcing, name, "forcing at t"))) }
        for name in v.forcing { parts.append(try normalised(name, try field(batch.forcingNext, name, "forcing at t + Δt"))) }
        let b = batch.batchSize
        let nLat = grid.latitudes.count, nLon = grid.longitudes.count
        if let staticChannels {
            parts.append(try staticChannels.expand([b, staticChannels.shape[1], nLat, nLon]))
        }
        for input in v.computed {
            switch input {
            case .latitude:
                parts.append(try latitudeChannels.expand([b, 2, nLat, nLon]))
            case .timeOfYear:
                var values: [Float] = []
                for day in batch.dayOfYear {
                    let angle = 2 * Double.pi * day / 365.25
                    values += [Float(sin(angle)), Float(cos(angle))]
                }
                parts.append(try Tensor(values, shape: [b, 2, 1, 1]).to(device: device).expand([b, 2, nLat, nLon]))
            }
        }
        return try Tensor.cat(parts, dim: 1)
    }

    /// The prognostic state at t + Δt from the network's `output` `[batch, outputChannels, lat, lon]`.
    /// - Parameter fix: clamp negatives and apply the mass fixer (inference); the surface flux
    ///   is applied either way when the definition asks for it.
    public func advance(_ batch: StepBatch, output: Tensor, fix: Bool) throws -> [String: Tensor] {
        var next: [String: Tensor] = [:]
        var offset = 0
        let p = definition.processing
        for name in definition.variables.prognostic {
            let count = levels[name] ?? 1
            guard let dMean = deltaMeans[name], let dStd = deltaStds[name] else {
                throw TorchError(operation: "advance", message: "no change statistics for '\(name)'")
            }
            let y = try output.narrow(dim: 1, start: offset, length: count)
            offset += count
            var q = p.usesPhysicsPrior ? try field(batch.prior, name, "physics prior") + y * dStd
                                       : try field(batch.state, name, "state") + y * dStd + dMean
            if definition.task == .transport, name == p.tracer {
                let airMassNext = try field(batch.forcingNext, p.airMass, "forcing at t + Δt")
                if fix, let fixer {
                    q = try fixer.apply(q, airMassNext: airMassNext, previousMixingRatio: field(batch.state, name, "state"),
                                        previousAirMass: field(batch.forcing, p.airMass, "forcing at t"))
                } else if fix {
                    q = try q.clamp(min: 0)
                }
                if p.surfaceFlux, let cellArea {
                    var flux: Tensor?
                    for f in p.fluxes {
                        let value = try field(batch.forcing, f, "forcing at t").squeeze(dim: 1)
                        flux = try flux.map { try $0 + value } ?? value
                    }
                    if let flux {
                        q = try SurfaceFluxScheme.apply(q, airMassNext: airMassNext, flux: flux, cellArea: cellArea,
                                                        timeStep: definition.timeStepHours * 3600)
                    }
                }
                if fix {
                    // A sink can empty a surface cell below zero: clamp, then rescale the sample
                    // so its global mass stays exactly what the fixer and the flux made it
                    // (the factor is 1 when nothing was negative).
                    let mass = try (q * airMassNext).sum(dims: [1, 2, 3], keepDim: true)
                    let clamped = try q.clamp(min: 0)
                    let clampedMass = try (clamped * airMassNext).sum(dims: [1, 2, 3], keepDim: true)
                    q = try clamped * (mass / clampedMass)
                }
            }
            next[name] = q
        }
        return next
    }

    /// `state` with independent Gaussian noise of standard deviation `noise` × σΔ[l] added to
    /// every prognostic value (libtorch's default generator: reseed it for reproducible draws).
    ///
    /// `batchPart` (data-parallel training): the state holds samples `offset ..< offset + batch`
    /// of a global batch of `total`; the noise is drawn for the global batch and sliced, so that
    /// the ranks together draw what one process with the global batch draws.
    public func perturbed(_ state: [String: Tensor], noise: Double, batchPart: (offset: Int, total: Int)? = nil) throws -> [String: Tensor] {
        var result = state
        for name in definition.variables.prognostic {
            guard let dStd = deltaStds[name] else {
                throw TorchError(operation: "perturb", message: "no change statistics for '\(name)'")
            }
            let x = try field(state, name, "state")
            var draw: Tensor
            if let batchPart, let batch = x.shape.first {
                var shape = x.shape
                shape[0] = batchPart.total
                draw = try Tensor.randn(shape, dtype: x.dtype, device: x.device).narrow(dim: 0, start: batchPart.offset, length: batch)
            } else {
                draw = try Tensor.randn(x.shape, dtype: x.dtype, device: x.device)
            }
            result[name] = try x + draw * dStd * noise
        }
        return result
    }

    /// Latitude-weighted MSE of `predicted` against `truth`, each level scaled by 1/σΔ[l]²,
    /// plus the weighted spectral term of the changes from `previous` (the state the step
    /// started from; needed when `training.spectral_loss_weight` > 0), averaged over
    /// prognostic variables: a scalar tensor.
    public func loss(predicted: [String: Tensor], truth: [String: Tensor], previous: [String: Tensor]? = nil) throws -> Tensor {
        var total: Tensor?
        for name in definition.variables.prognostic {
            guard let dStd = deltaStds[name] else {
                throw TorchError(operation: "loss", message: "no change statistics for '\(name)'")
            }
            let error = try (field(predicted, name, "prediction") - field(truth, name, "truth")) / dStd
            var term = try (error.square() * latitudeWeights).mean()
            if let spectralLoss {
                guard let previous else {
                    throw TorchError(operation: "loss", message: "the spectral loss needs the state the step started from")
                }
                let start = try field(previous, name, "previous state")
                let predictedChange = try (field(predicted, name, "prediction") - start) / dStd
                let trueChange = try (field(truth, name, "truth") - start) / dStd
                term = try term + spectralLoss(predicted: predictedChange, truth: trueChange) * definition.training.spectralLossWeight
            }
            total = try total.map { try $0 + term } ?? term
        }
        guard let total else { throw TorchError(operation: "loss", message: "no prognostic variables") }
        return try total / Double(definition.variables.prognostic.count)
    }

    private func field(_ fields: [String: Tensor], _ name: String, _ role: String) throws(TorchError) -> Tensor {
        guard let tensor = fields[name] else {
            throw TorchError(operation: "StepProcessor", message: "the batch has no '\(name)' (\(role))")
        }
        return tensor
    }
}
