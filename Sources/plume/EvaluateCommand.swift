import ArgumentParser
import Foundation
import PlumeVerify

/// `plume evaluate`: scores of emulator rollouts against the truth, the CarbonBench way for
/// CO2 (R², RMSE in ppm, global-mass RMSE in PgC, decorrelation time; persistence and
/// fluxes-only baselines) and the WeatherBench 2 way for weather (RMSE and ACC per variable;
/// persistence and climatology baselines).
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score rollouts against truth files (CarbonBench for CO2, WeatherBench 2 for weather).",
        discussion: """
            Rollout files hold the truth's variable and dimension names (co2massmix, airmass … for \
            CO2; u, v, h for weather), a CF time axis whose first record is the initial state, one \
            record per step. They are aligned with the --truth files (train/val/test may all be given) \
            by absolute time, and must share their grid and levels. Writes DIR/scores.md, \
            DIR/scores.json and PNGs (scores by lead for the rollouts and the baselines, maps of \
            truth, rollout and difference at the --leads-days reached by the first rollout and at its \
            last step, the global CO2 mass). Rollouts with a global attribute plume_model are \
            grouped under that name. A weather climatology (for ACC and the climatology baseline) \
            comes from --climatology: with --climatology-method auto the day-of-year mean smoothed \
            over ±30 days when the file spans a year or more, else its time mean.
            """)

    @Argument(help: "Rollout files (netCDF).")
    var rollouts: [String] = []

    @Option(name: .customLong("truth"), help: "Truth file (repeatable).")
    var truth: [String] = []

    @Option(help: "Training file for the weather climatology.")
    var climatology: String?

    @Option(name: .customLong("climatology-method"), help: "auto, time-mean or day-of-year (±30-day window).")
    var climatologyMethod: String = "auto"

    @Option(name: .customLong("out"), help: "Output folder (created if missing).")
    var out: String

    @Option(name: .customLong("leads-days"), help: "Leads reported in the tables and mapped, days, comma-separated.")
    var leadsDays: String = "7,30,60,90"

    func validate() throws {
        guard !rollouts.isEmpty else { throw ValidationError("give at least one rollout file") }
        guard !truth.isEmpty else { throw ValidationError("--truth: give at least one truth file") }
        _ = try leads()
        guard ["auto", "time-mean", "day-of-year"].contains(climatologyMethod) else {
            throw ValidationError("--climatology-method: expected auto, time-mean or day-of-year, got '\(climatologyMethod)'")
        }
    }

    func leads() throws -> [Double] {
        let values = leadsDays.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? -1) >= 0 }) else {
            throw ValidationError("--leads-days: expected non-negative numbers separated by commas, got '\(leadsDays)'")
        }
        return values.compactMap { $0 }
    }

    func run() throws {
        let leads = try leads()
        let archive = try TruthArchive(paths: truth)
        guard let reference = archive.first else { throw ValidationError("--truth: give at least one truth file") }
        let files = try rollouts.map { try TimedFile(path: $0, role: "rollout") }
        let outputs = try EvaluationOutputs(folder: out)
        do {
            if reference.has("co2massmix") {
                if climatology != nil { print("note: --climatology is not used for CO2 rollouts") }
                try CO2Evaluation.run(rollouts: files, truth: archive, leadsDays: leads, outputs: outputs)
            } else if WeatherEvaluation.variables.allSatisfy(reference.has) {
                var file: TimedFile?, method: Climatology.Method?
                if let climatology {
                    let f = try TimedFile(path: climatology, role: "climatology")
                    let span = ((f.seconds.last ?? 0) - (f.seconds.first ?? 0)) / 86400
                    switch climatologyMethod {
                    case "time-mean": method = .timeMean
                    case "day-of-year": method = .dayOfYear(halfWindowDays: 30)
                    default: method = span >= 365 ? .dayOfYear(halfWindowDays: 30) : .timeMean
                    }
                    file = f
                }
                try WeatherEvaluation.run(rollouts: files, truth: archive, climatologyFile: file, method: method, leadsDays: leads,
                                          outputs: outputs)
            } else {
                throw ValidationError("truth \(reference.path): neither CO2 (co2massmix) nor weather (u, v, h) variables")
            }
            try outputs.commit()
        } catch {
            outputs.discard()
            throw error
        }
        print("wrote \(outputs.names.map { "\(out)/\($0)" }.joined(separator: ", "))")
    }
}
