import Foundation
import PlumeGrids
import PlumeIO
import PlumeSupport

/// The local ensemble transform Kalman filter (Hunt, Kostelich and Szunyogh 2007).
///
/// At every grid point the analysis is computed in the k-dimensional space of the
/// ensemble from the observations near it, each weighted by the localisation ρ (R⁻¹ → ρR⁻¹,
/// horizontal `localisation` times a Gaspari–Cohn function of the level difference):
///
///   P̃a = [(k − 1)I/γ + Ybᵀ ρR⁻¹ Yb]⁻¹,  w̄a = P̃a Ybᵀ ρR⁻¹ (y − ȳb),  Wa = [(k − 1)P̃a]^½,
///   x_a⁽ⁱ⁾ = x̄b + Xb (w̄a + Wa⁽ⁱ⁾)
///
/// with γ the multiplicative inflation and the symmetric square root from the eigen-
/// decomposition. All variables at a point are updated together (the ensemble supplies
/// the cross-covariances). Relaxation to prior spread (Whitaker and Hamill 2012) then
/// scales the analysis perturbations by 1 + α(σb − σa)/σa, per variable and point.
public struct LETKF: Sendable {
    /// Horizontal localisation (Gaspari–Cohn is usual: zero beyond twice its half-width);
    /// nil for none (the global ETKF: one transform for the whole state).
    public var localisation: CorrelationModel?
    /// The half-width of the vertical Gaspari–Cohn localisation in levels; nil for none.
    public var verticalLocalisationLevels: Double?
    /// α of the relaxation to prior spread (0 for none, 0.5–0.9 usual).
    public var relaxationToPriorSpread: Double
    /// γ ≥ 1 of the multiplicative prior inflation.
    public var multiplicativeInflation: Double
    public var preparation: ObservationPreparation

    public init(localisation: CorrelationModel?, verticalLocalisationLevels: Double? = nil, relaxationToPriorSpread: Double = 0,
                multiplicativeInflation: Double = 1, preparation: ObservationPreparation = ObservationPreparation()) {
        self.localisation = localisation
        self.verticalLocalisationLevels = verticalLocalisationLevels
        self.relaxationToPriorSpread = relaxationToPriorSpread
        self.multiplicativeInflation = multiplicativeInflation
        self.preparation = preparation
    }

    /// Analyses `observations` into the ensemble `members` (states at one time on one grid).
    /// The result's `state` is the analysis mean, `members` the analysed members.
    /// - Throws: `AssimilationError` for fewer than two members or members that disagree.
    public func analyse(members: [GriddedState], observations: [Observation], window: ClosedRange<CFDate>) throws(AssimilationError) -> AnalysisResult {
        guard members.count >= 2, let first = members.first else {
            throw .invalidSetting(key: "ensemble", expected: "at least 2 members", found: "\(members.count)")
        }
        for (m, member) in members.enumerated() where member.grid != first.grid || member.levelCount != first.levelCount || Set(member.fields.keys) != Set(first.fields.keys) {
            throw .shape(what: "member \(m + 1)", expected: "the grid, levels and variables of member 1", found: "\(member.grid.name), \(member.levelCount) levels, \(member.fields.keys.sorted())")
        }
        guard multiplicativeInflation >= 1, (0...1).contains(relaxationToPriorSpread) else {
            throw .invalidSetting(key: "inflation", expected: "γ ≥ 1 and 0 ≤ α ≤ 1", found: "γ = \(multiplicativeInflation), α = \(relaxationToPriorSpread)")
        }
        let k = members.count
        var records = preparation.prepare(observations, states: [first], window: window)
        // Ensemble equivalents, spread and the background check.
        var kept: [Int] = []
        var perturbations: [[Double]] = []   // [obs][member]
        for n in records.indices where records[n].flag == .used {
            guard let location = records[n].location, let sigmaO = records[n].sigma else { continue }
            let variable = records[n].observation.variable
            let y = members.map { location.equivalent($0.fields[variable] ?? []) }
            let mean = y.reduce(0, +) / Double(k)
            let spread = (y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(k - 1)).squareRoot()
            records[n].background = mean
            records[n].backgroundSigma = spread
            if let rejected = preparation.qualityControl.backgroundCheck(innovation: records[n].observation.value - mean, backgroundSigma: spread, observationSigma: sigmaO) {
                records[n].flag = rejected.flag
                records[n].reason = rejected.reason
                continue
            }
            kept.append(n)
            perturbations.append(y.map { $0 - mean })
        }
        let positions = kept.map { records[$0].location?.position ?? .zero }
        let levels = kept.map { records[$0].location?.level ?? 0 }
        let innovations = kept.map { records[$0].innovation ?? 0 }
        let inverseR = kept.map { 1 / ((records[$0].sigma ?? 1) * (records[$0].sigma ?? 1)) }
        var chiSquared = 0.0
        for n in kept {
            let d = records[n].innovation ?? 0, sb = records[n].backgroundSigma ?? 0, so = records[n].sigma ?? 1
            chiSquared += d * d / (sb * sb + so * so)
        }
        let weights = ensembleWeights(first: first, k: k, positions: positions, levels: levels, innovations: innovations,
                                      inverseR: inverseR, perturbations: perturbations)
        // Apply the weights to every variable.
        var analysed = members
        let points = first.pointCount
        for variable in first.fields.keys.sorted() {
            let values = members.map { $0.fields[variable] ?? [] }
            var out = [[Double]](repeating: [Double](repeating: 0, count: points), count: k)
            for g in 0..<points {
                let w = weights[g]
                var mean = 0.0
                for m in 0..<k { mean += values[m][g] }
                mean /= Double(k)
                var priorSpread = 0.0
                for m in 0..<k { priorSpread += (values[m][g] - mean) * (values[m][g] - mean) }
                var analysis = [Double](repeating: mean, count: k)
                for i in 0..<k {
                    var sum = 0.0
                    for j in 0..<k { sum += (values[j][g] - mean) * (w[j * (k + 1) + i] + w[j * (k + 1) + k]) }
                    analysis[i] += sum
                }
                let analysisMean = analysis.reduce(0, +) / Double(k)
                if relaxationToPriorSpread > 0 {
                    let sigmaB = (priorSpread / Double(k - 1)).squareRoot()
                    var sa = 0.0
                    for i in 0..<k { sa += (analysis[i] - analysisMean) * (analysis[i] - analysisMean) }
                    let sigmaA = (sa / Double(k - 1)).squareRoot()
                    if sigmaA > 0 {
                        let factor = 1 + relaxationToPriorSpread * (sigmaB - sigmaA) / sigmaA
                        for i in 0..<k { analysis[i] = analysisMean + factor * (analysis[i] - analysisMean) }
                    }
                }
                for i in 0..<k { out[i][g] = analysis[i] }
            }
            for m in 0..<k { analysed[m].fields[variable] = out[m] }
        }
        var mean = first
        for variable in first.fields.keys {
            var sum = [Double](repeating: 0, count: points)
            for member in analysed { for (g, x) in (member.fields[variable] ?? []).enumerated() { sum[g] += x } }
            mean.fields[variable] = sum.map { $0 / Double(k) }
        }
        for n in records.indices {
            guard let location = records[n].location else { continue }
            let variable = records[n].observation.variable
            records[n].analysis = analysed.reduce(0) { $0 + location.equivalent($1.fields[variable] ?? []) } / Double(k)
        }
        return AnalysisResult(state: mean, observations: records, chiSquaredPerObservation: kept.isEmpty ? nil : chiSquared / Double(kept.count),
                              iterations: 0, members: analysed)
    }

    /// For each point, the k×(k+1) matrix [Wa | w̄a] (row-major: row j holds Wa[j, 0..<k] then w̄a[j]).
    func ensembleWeights(first: GriddedState, k: Int, positions: [SIMD3<Double>], levels: [Double], innovations: [Double],
                         inverseR: [Double], perturbations: [[Double]]) -> [[Double]] {
        let nLat = first.grid.latitudeCount, nLon = first.grid.longitudeCount, layer = nLat * nLon, levelCount = first.levelCount
        let gamma = multiplicativeInflation
        let vertical = verticalLocalisationLevels
        guard let localisation = self.localisation else {
            // No localisation: one transform for every point (per level with vertical localisation).
            let everything = Array(positions.indices)
            return (0..<levelCount).flatMap { level -> [[Double]] in
                let rho = everything.map { o in vertical.map { CorrelationModel.gaspariCohn(abs(Double(level) - levels[o]) / $0) } ?? 1 }
                let weights = Self.transform(k: k, gamma: gamma, near: everything, rho: rho, innovations: innovations,
                                             inverseR: inverseR, perturbations: perturbations)
                return [[Double]](repeating: weights, count: layer)
            }
        }
        let chordCutoff = GreatCircle.chord(ofDistanceM: localisation.cutoffM)
        let index = SpherePointIndex(points: positions.isEmpty ? [SIMD3(0, 0, 1)] : positions, cellSize: max(chordCutoff, 1e-3))
        let latitudes = (0..<nLat).map { first.latitude($0) }, longitudes = (0..<nLon).map { first.longitude($0) }
        var result = [[Double]](repeating: [], count: first.pointCount)
        let sharedByLevels = levelCount == 1 || vertical == nil
        result.withUnsafeMutableBufferPointer { buffer in
            let out = SharedMutablePointer(base: buffer.baseAddress!)
            parallelFor(nLat, work: layer * max(positions.count, 1)) { i in
                for j in 0..<nLon {
                    let g = GreatCircle.unitVector(latitude: latitudes[i], longitude: longitudes[j])
                    let near = positions.isEmpty ? [] : index.indices(within: chordCutoff, of: g).map(Int.init)
                    let horizontal = near.map { localisation(GreatCircle.distanceM(g, positions[$0])) }
                    var previous: [Double]?
                    for level in 0..<levelCount {
                        if sharedByLevels, let previous {
                            out.base[level * layer + i * nLon + j] = previous
                            continue
                        }
                        var rho = horizontal
                        if let vertical {
                            for (m, o) in near.enumerated() { rho[m] *= CorrelationModel.gaspariCohn(abs(Double(level) - levels[o]) / vertical) }
                        }
                        let weights = Self.transform(k: k, gamma: gamma, near: near, rho: rho, innovations: innovations,
                                                     inverseR: inverseR, perturbations: perturbations)
                        out.base[level * layer + i * nLon + j] = weights
                        previous = weights
                    }
                }
            }
        }
        return result
    }

    /// [Wa | w̄a] for one point from its local observations.
    static func transform(k: Int, gamma: Double, near: [Int], rho: [Double], innovations: [Double], inverseR: [Double],
                          perturbations: [[Double]]) -> [Double] {
        var a = [Double](repeating: 0, count: k * k)
        var c = [Double](repeating: 0, count: k)
        for i in 0..<k { a[i * k + i] = Double(k - 1) / gamma }
        for (m, o) in near.enumerated() where rho[m] > 1e-10 {
            let weight = rho[m] * inverseR[o]
            let y = perturbations[o]
            for i in 0..<k {
                let wy = weight * y[i]
                c[i] += wy * innovations[o]
                for j in i..<k { a[i * k + j] += wy * y[j] }
            }
        }
        for i in 0..<k { for j in 0..<i { a[i * k + j] = a[j * k + i] } }
        let (values, vectors) = SymmetricEigen.decompose(a, n: k)
        var result = [Double](repeating: 0, count: k * (k + 1))
        // Wa = Q diag(√((k−1)/λ)) Qᵀ, w̄a = Q diag(1/λ) Qᵀ c.
        var qtc = [Double](repeating: 0, count: k)
        for l in 0..<k {
            var s = 0.0
            for i in 0..<k { s += vectors[i * k + l] * c[i] }
            qtc[l] = s / values[l]
        }
        let roots = values.map { (Double(k - 1) / $0).squareRoot() }
        for i in 0..<k {
            for j in 0..<k {
                var s = 0.0
                for l in 0..<k { s += vectors[i * k + l] * roots[l] * vectors[j * k + l] }
                result[i * (k + 1) + j] = s
            }
            var s = 0.0
            for l in 0..<k { s += vectors[i * k + l] * qtc[l] }
            result[i * (k + 1) + k] = s
        }
        return result
    }
}
