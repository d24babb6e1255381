import ArgumentParser
import Foundation
import PlumeVerify

/// WeatherBench 2 scores of weather rollouts (u, v, h): per variable and lead the RMSE
/// (√ of the mean over rollouts of the cell-area-weighted MSE) and the ACC (mean over
/// rollouts) against a climatology from a training file, for the rollout and the persistence
/// and climatology baselines.
enum WeatherEvaluation {
    struct Rollout: Codable {
        var file: String
        var model: String
        var initTime: String
        var leadDays: [Double]
        /// Per series, per variable, per step.
        var mse: [String: [String: [Double]]]
        var acc: [String: [String: [Double]]]
    }

    struct Curves: Codable {
        var name: String
        var variable: String
        var leadDays: [Double]
        var rollouts: [Int]
        var rmse: [Double]
        var acc: [Double]
    }

    struct Report: Codable {
        var kind = "weather"
        var truth: [String]
        var climatology: String?
        var climatologyMethod: String?
        var leadsDays: [Double]
        var series: [Curves]
        var rollouts: [Rollout]
        /// Rollouts with no truth after their initial time yet (a forecast whose verifying
        /// analyses have not arrived): listed, not scored.
        var notYetVerifiable: [String] = []
    }

    static let variables = ["u", "v", "h"]
    static let persistence = "persistence", climatologyName = "climatology"

    static func run(rollouts: [TimedFile], truth: TruthArchive, climatologyFile: TimedFile?, method: Climatology.Method?,
                    leadsDays: [Double], outputs: EvaluationOutputs) throws {
        guard let reference = truth.first else { throw ValidationError("--truth: give at least one truth file") }
        for f in truth.files { for name in variables { _ = try f.recordShape(name, role: "truth") } }
        let nx = reference.longitudes.count
        let weights = LatitudeWeights.broadcast(try LatitudeWeights.cellArea(latitudesDegrees: reference.latitudes), longitudeCount: nx)
        let cells = weights.count
        var climatologies: [String: Climatology] = [:]
        if let climatologyFile, let method {
            try climatologyFile.checkSameGrid(as: reference, variables: variables)
            for name in variables {
                var c = Climatology(method: method, fieldCount: cells)
                for (t, s) in climatologyFile.seconds.enumerated() {
                    try c.add(try climatologyFile.record(name, t), dayOfYear: climatologyFile.dayOfYear(s))
                }
                climatologies[name] = c
            }
        }
        let series = [persistence] + (climatologies.isEmpty ? [] : [climatologyName])
        var results: [Rollout] = []
        var maps: [(variable: String, lead: Double, truth: [Double], predicted: [Double])] = []
        var pending: [String] = [], pendingModels: [String] = []
        for (r, rollout) in rollouts.enumerated() {
            try rollout.checkSameGrid(as: reference, variables: variables)
            guard let (initFile, initRecord) = truth.locate(rollout.seconds[0]) else {
                throw ValidationError("rollout \(rollout.path): its initial time \(rollout.date(rollout.seconds[0])) is not a truth time (no overlap with the --truth files)")
            }
            let model = rollout.file.dataset.attributes["plume_model"]?.text ?? "rollout"
            var initial: [String: [Double]] = [:]
            for name in variables { initial[name] = try initFile.record(name, initRecord) }
            var mse: [String: [String: [Double]]] = [:], acc: [String: [String: [Double]]] = [:]
            var leads: [Double] = []
            for (k, s) in rollout.seconds.enumerated() {
                guard let (tf, tr) = truth.locate(s) else {
                    FileHandle.standardError.write(Data("rollout \(rollout.path): no truth at \(rollout.date(s)); scored up to the step before\n".utf8))
                    break
                }
                let lead = (s - rollout.seconds[0]) / 86400
                leads.append(lead)
                for name in variables {
                    let o = try tf.record(name, tr), f = try rollout.record(name, k)
                    let c = try climatologies[name]?.field(dayOfYear: tf.dayOfYear(s))
                    var forecasts: [(String, [Double])] = [(model, f), (persistence, initial[name] ?? [])]
                    if let c { forecasts.append((climatologyName, c)) }
                    for (series, forecast) in forecasts {
                        mse[series, default: [:]][name, default: []].append(try WeatherSkill.meanSquaredError(predicted: forecast, truth: o, weights: weights))
                        var score = Double.nan
                        if let c { score = try WeatherSkill.anomalyCorrelation(predicted: forecast, truth: o, climatology: c, weights: weights) }
                        acc[series, default: [:]][name, default: []].append(score)
                    }
                    if r == 0, k > 0, leadsDays.contains(where: { abs($0 - lead) < 1e-6 }) || k == rollout.seconds.count - 1 {
                        maps.append((name, lead, o, f))
                    }
                }
            }
            guard leads.count >= 2 else {
                pending.append(rollout.path)
                if !pendingModels.contains(model) { pendingModels.append(model) }
                FileHandle.standardError.write(Data("not yet verifiable: \(rollout.path) (no truth after its initial time \(rollout.date(rollout.seconds[0])))\n".utf8))
                continue
            }
            let scored = Rollout(file: rollout.path, model: model, initTime: rollout.date(rollout.seconds[0]).description,
                                 leadDays: leads, mse: mse, acc: acc)
            results.append(scored)
            FileHandle.standardError.write(Data("scored \(rollout.path): \(leads.count) steps from \(scored.initTime)\n".utf8))
        }

        let longest = results.max { $0.leadDays.count < $1.leadDays.count }?.leadDays ?? []
        for r in results where !zip(r.leadDays, longest).allSatisfy({ abs($0 - $1) < 1e-6 }) {
            throw ValidationError("rollout \(r.file): its step length differs from the other rollouts'")
        }
        var byInit: [String: Rollout] = [:]
        for r in results where (byInit[r.initTime]?.leadDays.count ?? -1) < r.leadDays.count { byInit[r.initTime] = r }
        var models: [String] = []
        for r in results where !models.contains(r.model) { models.append(r.model) }
        for model in pendingModels where !models.contains(model) { models.append(model) }
        var curves: [Curves] = []
        for name in models + series {
            let group = models.contains(name) ? results.filter { $0.model == name } : byInit.keys.sorted().compactMap { byInit[$0] }
            for v in variables {
                let m = group.compactMap { $0.mse[name]?[v] }, a = group.compactMap { $0.acc[name]?[v] }
                let rmse = LeadCurves.mean(m).map { $0.squareRoot() }
                curves.append(Curves(name: name, variable: v, leadDays: Array(longest.prefix(rmse.count)), rollouts: LeadCurves.counts(m),
                                     rmse: rmse, acc: LeadCurves.mean(a)))
            }
        }
        let methodText: String? = method.map {
            switch $0 {
            case .timeMean: "time mean of the training file"
            case .dayOfYear(let half): "day-of-year mean, smoothed over ±\(half) days"
            }
        }
        let report = Report(truth: truth.files.map(\.path), climatology: climatologyFile?.path, climatologyMethod: climatologyFile == nil ? nil : methodText,
                            leadsDays: leadsDays, series: curves, rollouts: results, notYetVerifiable: pending)
        try outputs.text("scores.json", try EvaluationReport.json(report))
        try outputs.text("scores.md", markdown(report))
        // Nothing scored yet (every forecast waits for its verifying analyses): the tables only.
        guard !results.isEmpty else { return }
        for v in variables {
            let mine = curves.filter { $0.variable == v }
            try outputs.plot("weather-rmse-\(v)-vs-lead.png") { url in
                try EvaluationReport.leadPlot(mine.map { ($0.name, $0.leadDays, $0.rmse) }, title: "\(v): RMSE by lead", yLabel: "RMSE", to: url)
            }
            if climatologyFile != nil {
                try outputs.plot("weather-acc-\(v)-vs-lead.png") { url in
                    try EvaluationReport.leadPlot(mine.map { ($0.name, $0.leadDays, $0.acc) }, title: "\(v): ACC by lead", yLabel: "ACC", to: url)
                }
            }
        }
        for map in maps {
            let units = reference.file.dataset.variable(map.variable)?.units ?? ""
            try EvaluationReport.maps(outputs: outputs, prefix: "map-\(map.variable)-lead\(EvaluationReport.days(map.lead))d", truth: map.truth,
                                      predicted: map.predicted, latitudes: reference.latitudes, longitudes: reference.longitudes,
                                      what: "\(map.variable), lead \(EvaluationReport.days(map.lead)) d (\(results[0].initTime))", units: units)
        }
    }

    static func markdown(_ report: Report) -> String {
        let f = EvaluationReport.format
        var md = "# Weather rollout scores (WeatherBench 2)\n\n"
        md += "Truth: \(report.truth.joined(separator: ", ")). \(report.rollouts.count) rollout(s). "
        md += "Latitude weights: cell area (sin φ differences between mid-latitude bounds and ±90°), mean 1. "
        md += "RMSE: √(mean over rollouts of the weighted MSE) per lead; ACC: mean over rollouts of Σw f′o′ / √(Σw f′² Σw o′²). "
        if let c = report.climatology {
            md += "Climatology from \(c): \(report.climatologyMethod ?? ""). "
        } else {
            md += "No --climatology: no ACC and no climatology baseline. "
        }
        md += "Persistence: the initial state held. Models are averaged over their rollouts, baselines over the distinct initial times.\n\n"
        if !report.notYetVerifiable.isEmpty {
            md += "Not yet verifiable (no truth after the initial time): \(report.notYetVerifiable.joined(separator: ", ")).\n\n"
        }
        md += "| series | variable | lead (days) | RMSE | ACC | rollouts |\n|---|---|---:|---:|---:|---:|\n"
        for s in report.series {
            for lead in report.leadsDays {
                if let i = LeadCurves.index(of: lead, in: s.leadDays) {
                    md += "| \(s.name) | \(s.variable) | \(EvaluationReport.days(lead)) | \(f(s.rmse[i], 4)) | \(f(s.acc[i], 4)) | \(s.rollouts[i]) |\n"
                } else {
                    md += "| \(s.name) | \(s.variable) | \(EvaluationReport.days(lead)) | — | — | 0 |\n"
                }
            }
        }
        return md
    }
}
