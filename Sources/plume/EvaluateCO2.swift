import ArgumentParser
import Foundation
import PlumePlot
import PlumeVerify

/// CarbonBench scores of CO2 rollouts (Benson et al. 2024): per 6-hour step the cos φ-weighted
/// Pearson R² over (level, lat, lon), the RMSE in ppm and the global-mass error in PgC, for the
/// rollout and the persistence and fluxes-only baselines; averaged over rollouts by lead.
enum CO2Evaluation {
    /// One rollout's scores by step (index 0 = the initial state).
    struct Rollout: Codable {
        var file: String
        var model: String
        var initTime: String
        var leadDays: [Double]
        /// Valid times, days since 2000-01-01 00:00.
        var validDays: [Double]
        var scores: [String: [CO2StepScore]]
        var decorrelationDays90: [String: Double]
        var decorrelationDays80: [String: Double]
    }

    /// Mean curves of one series (a model or a baseline) over its rollouts.
    struct Curves: Codable {
        var name: String
        var leadDays: [Double]
        var rollouts: [Int]
        var rSquared: [Double]
        var rmsePPM: [Double]
        /// √(mean over rollouts of the squared global-mass error), PgC.
        var massRMSEPgC: [Double]
        var decorrelationDays90: Double?
        var decorrelationDays80: Double?
    }

    struct Report: Codable {
        var kind = "co2"
        var truth: [String]
        var leadsDays: [Double]
        var series: [Curves]
        var rollouts: [Rollout]
    }

    static let variables = ["co2massmix", "airmass"]
    static let fluxNames = ["co2flux_land", "co2flux_ocean", "co2flux_anthro"]
    static let persistence = "persistence", fluxesOnly = "fluxes only"

    static func run(rollouts: [TimedFile], truth: TruthArchive, leadsDays: [Double], outputs: EvaluationOutputs) throws {
        guard let reference = truth.first else { throw ValidationError("--truth: give at least one truth file") }
        let latitudeWeights = try LatitudeWeights.cosine(latitudesDegrees: reference.latitudes)
        let shape = try reference.recordShape("co2massmix", role: "truth")
        guard shape.count == 3 else { throw ValidationError("truth \(reference.path): 'co2massmix' must be [time, level, lat, lon]") }
        let (levels, ny, nx) = (shape[0], shape[1], shape[2])
        let weights = LatitudeWeights.broadcast(latitudeWeights, longitudeCount: nx, layers: levels)
        for f in truth.files { for name in variables + fluxNames { _ = try f.recordShape(name, role: "truth") } }
        let cellArea = try reference.field("cell_area")
        guard cellArea.count == ny * nx else { throw ValidationError("truth \(reference.path): 'cell_area' must be [lat, lon]") }

        var results: [Rollout] = []
        var maps: [(lead: Double, truth: [Double], predicted: [Double])] = []
        for (r, rollout) in rollouts.enumerated() {
            try rollout.checkSameGrid(as: reference, variables: ["co2massmix"])
            guard let (initFile, initRecord) = truth.locate(rollout.seconds[0]) else {
                throw ValidationError("rollout \(rollout.path): its initial time \(rollout.date(rollout.seconds[0])) is not a truth time (no overlap with the --truth files)")
            }
            let model = rollout.file.dataset.attributes["plume_model"]?.text ?? "rollout"
            let q0 = try initFile.record("co2massmix", initRecord)
            var fluxState = q0
            var scores: [String: [CO2StepScore]] = [model: [], persistence: [], fluxesOnly: []]
            var leads: [Double] = [], valid: [Double] = []
            var previous: (file: TimedFile, record: Int, seconds: Double)?
            for (k, s) in rollout.seconds.enumerated() {
                guard let (tf, tr) = truth.locate(s) else {
                    FileHandle.standardError.write(Data("rollout \(rollout.path): no truth at \(rollout.date(s)); scored up to the step before\n".utf8))
                    break
                }
                let q = try tf.record("co2massmix", tr), m = try tf.record("airmass", tr)
                if let p = previous {
                    var flux = [Double](repeating: 0, count: ny * nx)
                    for name in fluxNames { for (i, v) in try p.file.record(name, p.record).enumerated() { flux[i] += v } }
                    try CO2FluxBaseline.step(massMixingRatio: &fluxState, flux: flux, cellArea: cellArea,
                                             lowestAirmass: Array(m[0..<(ny * nx)]), seconds: s - p.seconds)
                }
                let predicted = try rollout.record("co2massmix", k)
                let predictedAirmass = rollout.has("airmass") ? try rollout.record("airmass", k) : m
                scores[model]?.append(try CO2StepScore(predicted: predicted, truth: q, predictedAirmass: predictedAirmass,
                                                       trueAirmass: m, weights: weights))
                scores[persistence]?.append(try CO2StepScore(predicted: q0, truth: q, predictedAirmass: m, trueAirmass: m, weights: weights))
                scores[fluxesOnly]?.append(try CO2StepScore(predicted: fluxState, truth: q, predictedAirmass: m, trueAirmass: m, weights: weights))
                let lead = (s - rollout.seconds[0]) / 86400
                leads.append(lead)
                valid.append(s / 86400)
                if r == 0, k > 0, leadsDays.contains(where: { abs($0 - lead) < 1e-6 }) || k == rollout.seconds.count - 1 {
                    let surface = 0..<(ny * nx)
                    maps.append((lead, q[surface].map { CO2Units.ppm(massMixingRatio: $0) },
                                 predicted[surface].map { CO2Units.ppm(massMixingRatio: $0) }))
                }
                previous = (tf, tr, s)
            }
            guard leads.count >= 2 else {
                throw ValidationError("rollout \(rollout.path): fewer than two steps overlap the --truth files")
            }
            var d90: [String: Double] = [:], d80: [String: Double] = [:]
            for (name, curve) in scores {
                d90[name] = LeadCurves.decorrelationDays(leadDays: leads, rSquared: curve.map(\.rSquared), threshold: 0.9)
                d80[name] = LeadCurves.decorrelationDays(leadDays: leads, rSquared: curve.map(\.rSquared), threshold: 0.8)
            }
            results.append(Rollout(file: rollout.path, model: model, initTime: rollout.date(rollout.seconds[0]).description,
                                   leadDays: leads, validDays: valid, scores: scores, decorrelationDays90: d90, decorrelationDays80: d80))
            FileHandle.standardError.write(Data("scored \(rollout.path): \(leads.count) steps from \(results[r].initTime)\n".utf8))
        }

        let series = try aggregate(results)
        let report = Report(truth: truth.files.map(\.path), leadsDays: leadsDays, series: series, rollouts: results)
        try outputs.text("scores.json", try EvaluationReport.json(report))
        try outputs.text("scores.md", markdown(report))
        try plots(report, outputs: outputs)
        for map in maps {
            try EvaluationReport.maps(outputs: outputs, prefix: "map-co2-lead\(EvaluationReport.days(map.lead))d", truth: map.truth,
                                      predicted: map.predicted, latitudes: reference.latitudes, longitudes: reference.longitudes,
                                      what: "CO2 lowest level, lead \(EvaluationReport.days(map.lead)) d (\(results[0].initTime))", units: "ppm")
        }
    }

    /// Mean curves by lead: models over their rollouts; baselines over distinct initial times.
    static func aggregate(_ results: [Rollout]) throws -> [Curves] {
        let longest = results.max { $0.leadDays.count < $1.leadDays.count }?.leadDays ?? []
        for r in results where !zip(r.leadDays, longest).allSatisfy({ abs($0 - $1) < 1e-6 }) {
            throw ValidationError("rollout \(r.file): its step length differs from the other rollouts' (\(r.leadDays.prefix(3)) vs \(longest.prefix(3)) days)")
        }
        var byInit: [String: Rollout] = [:]
        for r in results where (byInit[r.initTime]?.leadDays.count ?? -1) < r.leadDays.count { byInit[r.initTime] = r }
        var models: [String] = []
        for r in results where !models.contains(r.model) { models.append(r.model) }
        var out: [Curves] = []
        for name in models + [persistence, fluxesOnly] {
            let group = models.contains(name) ? results.filter { $0.model == name } : byInit.keys.sorted().compactMap { byInit[$0] }
            let curves = group.compactMap { $0.scores[name] }
            let r2 = LeadCurves.mean(curves.map { $0.map(\.rSquared) })
            let leads = Array(longest.prefix(r2.count))
            out.append(Curves(name: name, leadDays: leads, rollouts: LeadCurves.counts(curves.map { $0.map(\.rSquared) }), rSquared: r2,
                              rmsePPM: LeadCurves.mean(curves.map { $0.map(\.rmsePPM) }),
                              massRMSEPgC: LeadCurves.rootMeanSquare(curves.map { $0.map(\.massErrorPgC) }),
                              decorrelationDays90: LeadCurves.decorrelationDays(leadDays: leads, rSquared: r2, threshold: 0.9),
                              decorrelationDays80: LeadCurves.decorrelationDays(leadDays: leads, rSquared: r2, threshold: 0.8)))
        }
        return out
    }

    static func markdown(_ report: Report) -> String {
        let f = EvaluationReport.format
        var md = "# CO2 rollout scores (CarbonBench)\n\n"
        md += "Truth: \(report.truth.joined(separator: ", ")). \(report.rollouts.count) rollout(s). "
        md += "R²: cos φ-weighted Pearson r² over (level, lat, lon); RMSE: cos φ-weighted, ppm; mass RMSE: √(mean over rollouts of "
        md += "(predicted − true global CO2 mass)²), PgC. Models are averaged over their rollouts by lead, baselines over the distinct "
        md += "initial times. Persistence: the initial state held; fluxes only: the initial state plus the true surface fluxes "
        md += "in the lowest layer, no transport.\n\n"
        md += "| series | lead (days) | R² | RMSE (ppm) | mass RMSE (PgC) | rollouts |\n|---|---:|---:|---:|---:|---:|\n"
        for s in report.series {
            for lead in report.leadsDays {
                if let i = LeadCurves.index(of: lead, in: s.leadDays) {
                    md += "| \(s.name) | \(EvaluationReport.days(lead)) | \(f(s.rSquared[i], 4)) | \(f(s.rmsePPM[i], 3)) | \(f(s.massRMSEPgC[i], 3)) | \(s.rollouts[i]) |\n"
                } else {
                    md += "| \(s.name) | \(EvaluationReport.days(lead)) | — | — | — | 0 |\n"
                }
            }
        }
        md += "\n## Decorrelation time (first lead with mean R² below the threshold)\n\n"
        md += "| series | R² < 0.9 (days) | R² < 0.8 (days) |\n|---|---:|---:|\n"
        func decorrelation(_ d: Double?, _ leads: [Double]) -> String {
            d.map { EvaluationReport.days($0) } ?? "> \(EvaluationReport.days(leads.last ?? 0))"
        }
        for s in report.series {
            md += "| \(s.name) | \(decorrelation(s.decorrelationDays90, s.leadDays)) | \(decorrelation(s.decorrelationDays80, s.leadDays)) |\n"
        }
        md += "\n## Rollouts\n\n| file | model | initial time | length (days) | R² < 0.9 (days) | R² < 0.8 (days) | final R² | final RMSE (ppm) | final mass error (PgC) |\n"
        md += "|---|---|---|---:|---:|---:|---:|---:|---:|\n"
        for r in report.rollouts {
            let last = r.scores[r.model]?.last
            md += "| \(r.file) | \(r.model) | \(r.initTime) | \(EvaluationReport.days(r.leadDays.last ?? 0)) | "
            md += "\(decorrelation(r.decorrelationDays90[r.model], r.leadDays)) | \(decorrelation(r.decorrelationDays80[r.model], r.leadDays)) | "
            md += "\(f(last?.rSquared, 4)) | \(f(last?.rmsePPM, 3)) | \(f(last?.massErrorPgC, 3)) |\n"
        }
        return md
    }

    static func plots(_ report: Report, outputs: EvaluationOutputs) throws {
        try outputs.plot("co2-r2-vs-lead.png") { url in
            try EvaluationReport.leadPlot(report.series.map { ($0.name, $0.leadDays, $0.rSquared) }, title: "CO2 R² by lead",
                                          yLabel: "R²", to: url)
        }
        try outputs.plot("co2-rmse-vs-lead.png") { url in
            try EvaluationReport.leadPlot(report.series.map { ($0.name, $0.leadDays, $0.rmsePPM) }, title: "CO2 RMSE by lead",
                                          yLabel: "RMSE (ppm)", to: url)
        }
        try outputs.plot("co2-global-mass.png") { url in
            var truth: [Double: Double] = [:]
            var series: [LineSeries] = []
            for (i, r) in report.rollouts.enumerated() {
                let s = r.scores[r.model] ?? []
                for (d, score) in zip(r.validDays, s) { truth[d] = score.trueMassPgC }
                series.append(LineSeries(x: r.validDays, y: s.map(\.predictedMassPgC), label: i < 6 ? "\(r.model) \(r.initTime)" : nil,
                                         dash: .dashed))
            }
            let days = truth.keys.sorted()
            series.insert(LineSeries(x: days, y: days.map { truth[$0] ?? .nan }, label: "truth", color: .black), at: 0)
            try LinePlot(series: series, title: "Global CO2 mass", xLabel: "days since 2000-01-01", yLabel: "PgC").write(to: url)
        }
    }
}
