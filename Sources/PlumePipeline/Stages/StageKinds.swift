import Foundation
import PlumeEmulators
import PlumeGrids

/// The built-in stage kinds (`uses:`). Each runs one `plume` command (or, for `text`, writes
/// a small file itself); paths reach the command as arguments, never through a shell.
public enum StageKinds {
    public static let all: [any StageKind] = [generate, ingest, regrid, train, rollout, forecast, transport, assimilate, verify, plot, export, text]

    public static func named(_ name: String) -> (any StageKind)? { all.first { $0.name == name } }

    public static var names: [String] { all.map(\.name) }

    // MARK: Kinds

    static let generate = CommandStage(
        name: "generate", summary: "built-in truth: CarbonBench-mini or the shallow-water weather set (a folder)",
        parameters: [
            ParameterSpec("dataset", .choice(["carbonbench-mini", "weather"]), required: true, help: "what to generate"),
            ParameterSpec("days", .number, help: "recorded days (weather: required; CarbonBench-mini: instead of years)"),
            ParameterSpec("years", .integer, help: "CarbonBench-mini: recorded years (default 5)"),
            ParameterSpec("transport_spinup_years", .integer, help: "CarbonBench-mini: whole years of transport spin-up"),
            ParameterSpec("spinup_days", .number, help: "spin-up days before the record"),
            ParameterSpec("split", .string, help: "train,val,test proportions"),
            ParameterSpec("seed", .integer, help: "seed of the weather model's draws"),
            ParameterSpec("grid", .grid, help: "grid (CarbonBench: the emulator grid; weather: the model's Gaussian grid)"),
            ParameterSpec("output_grid", .grid, help: "weather: grid the fields are written on"),
            ParameterSpec("levels", .choice(["l10", "l20"]), help: "CarbonBench levels"),
            ParameterSpec("truncation", .integer, help: "spectral truncation of the weather model"),
            ParameterSpec("threads", .integer, help: "libtorch threads"),
            ParameterSpec("diagnostics", .bool, help: "weather: write the diagnostics"),
        ],
        output: .folder,
        arguments: { p, c in
            ["generate", p.string("dataset") ?? "carbonbench-mini"]
                + p.flags(["days", "years", "transport_spinup_years", "spinup_days", "split", "seed", "grid", "output_grid", "levels",
                           "truncation", "threads", "diagnostics"])
                + ["--out", c.output]
        },
        grid: { p, _ in
            p.string("dataset") == "weather" ? (p.string("output_grid") ?? p.string("grid") ?? "gaussian-n32") : (p.string("grid") ?? "latlon5.625")
        },
        checker: { p, _ in
            let weather = p.string("dataset") == "weather"
            var issues: [(String, String)] = []
            if weather, p.string("days") == nil { issues.append(("dataset", "the weather set needs days")) }
            for key in ["years", "transport_spinup_years", "levels"] where weather && p.string(key) != nil {
                issues.append((key, "applies to carbonbench-mini only"))
            }
            if !weather, p.string("output_grid") != nil { issues.append(("output_grid", "applies to the weather set only (CarbonBench-mini's grid is grid)")) }
            return issues
        })

    static let ingest = CommandStage(
        name: "ingest", summary: "a GRIB or netCDF file into the run, as netCDF-4 (every field, nothing narrowed)",
        parameters: [
            ParameterSpec("input", .path, required: true, help: "GRIB 1/2 or netCDF file"),
            ParameterSpec("skip_damaged", .bool, help: "keep the intact messages of a damaged GRIB file"),
        ],
        output: .file(extension: "nc"),
        arguments: { p, c in ["convert", p.path("input") ?? "", c.output] + p.flags(["skip_damaged"]) })

    static let regrid = CommandStage(
        name: "regrid", summary: "a file onto a grid of the catalogue (conservative, bilinear or nearest)",
        parameters: [
            ParameterSpec("input", .path, required: true, help: "GRIB or netCDF file"),
            ParameterSpec("grid", .grid, required: true, help: "destination grid"),
            ParameterSpec("method", .choice(["conservative", "bilinear", "nearest"]), help: "interpolation"),
            ParameterSpec("weights", .path, help: "SCRIP/ESMF weights to apply"),
        ],
        output: .file(extension: "nc"),
        arguments: { p, c in
            ["regrid", p.path("input") ?? "", c.output, "--to", p.string("grid") ?? ""] + p.flags(["method", "weights"])
        },
        grid: { p, _ in p.string("grid") })

    static let train = CommandStage(
        name: "train", summary: "an emulator from a model file and a data folder (a folder with best.safetensors); resumes from its last checkpoint",
        parameters: [
            ParameterSpec("model", .path, required: true, help: "model file (Pipelines/models/*.yaml)"),
            ParameterSpec("data", .path, required: true, help: "data folder (carbonbench-train.nc / weather-train.nc …)"),
            ParameterSpec("steps", .integer, help: "training steps (default: the model file's)"),
            ParameterSpec("threads", .integer, help: "libtorch threads"),
        ],
        output: .folder,
        arguments: { p, c in
            let resume = FileManager.default.fileExists(atPath: c.runFolder + "/" + c.output + "/last.safetensors")
            return ["train", p.path("model") ?? "", "--data", p.path("data") ?? "", "--out", c.output]
                + p.flags(["steps", "threads"]) + (c.resuming && resume ? ["--resume"] : [])
        },
        resumes: true,
        grid: { _, checks in checks.inputFiles["model"].flatMap { try? ModelFile.load(path: $0).definition.grid } },
        checker: { p, checks in
            guard let path = checks.inputFiles["model"] else { return [] }
            let model: ModelFile
            do { model = try ModelFile.load(path: path) } catch { return [("model", "\(error)")] }
            if let grid = checks.inputGrids["data"], grid != model.definition.grid {
                return [("data", "the model \(path) is on \(model.definition.grid), its data on \(grid)")]
            }
            return []
        })

    static let rolloutParameters = [
        ParameterSpec("checkpoint", .path, required: true, help: "emulator checkpoint (.safetensors) or ${train}/best.safetensors"),
        ParameterSpec("init", .path, required: true, help: "file holding the initial state at the start"),
        ParameterSpec("start", .date, help: "start date (default: the cycle point)"),
        ParameterSpec("days", .number, help: "days to run (default: to the next cycle point, one leg of a chain)"),
        ParameterSpec("forcing", .paths, help: "forcing files (default: the init file)"),
        ParameterSpec("grid", .grid, help: "the grid the rollout must run on (checked against the checkpoint)"),
        ParameterSpec("segment_steps", .integer, help: "steps per resumable segment"),
        ParameterSpec("device", .string, help: "cpu (default), cuda or cuda:N: where the emulator runs (a CUDA build)"),
    ]

    static func rolloutArguments(_ p: StageParameters, _ c: StageContext) -> [String] {
        ["rollout", p.path("checkpoint") ?? "", "--init", p.path("init") ?? "", "--start", p.startDate, "--days", p.legDays ?? ""]
            + p.flags(["forcing", "segment_steps", "device"]) + ["--out", c.output, "--resume"]
    }

    static func checkpointGrid(_ checks: StageChecks) -> String? {
        if let file = checks.inputFiles["checkpoint"] { return try? CheckpointHeader.info(path: file).definition.grid }
        return checks.inputGrids["checkpoint"]
    }

    static func rolloutChecks(_ p: StageParameters, _ checks: StageChecks) -> [(parameter: String, message: String)] {
        if p.legDays == nil { return [("days", "needed: the cycles have no next point to run to")] }
        var grid = checks.inputGrids["checkpoint"]
        if let file = checks.inputFiles["checkpoint"] {
            do { grid = try CheckpointHeader.info(path: file).definition.grid } catch { return [("checkpoint", "\(error)")] }
        }
        guard let grid else { return [] }
        var issues: [(String, String)] = []
        if let wanted = p.string("grid"), wanted != grid {
            issues.append(("checkpoint", "the checkpoint is for grid \(grid), the stage runs on \(wanted)"))
        }
        if let initGrid = checks.inputGrids["init"], initGrid != grid {
            issues.append(("init", "the initial state is on \(initGrid), the checkpoint is for \(grid)"))
        }
        return issues
    }

    static let rollout = CommandStage(
        name: "rollout", summary: "an emulator run forward from an initial state (netCDF, every step); resumes after a kill",
        parameters: rolloutParameters, output: .file(extension: "nc"),
        arguments: { p, c in rolloutArguments(p, c) },
        resumes: true,
        grid: { _, checks in checkpointGrid(checks) },
        checker: { p, checks in rolloutChecks(p, checks) })

    /// `forecast`: an emulator checkpoint (as `rollout`), or `model: shallow-water`, the
    /// equivalent-barotropic forecast of the reference shallow-water model from a real
    /// analysis on its Gaussian grid (`plume barotropic`).
    static let forecast = CommandStage(
        name: "forecast", summary: "a weather forecast from an analysis: an emulator checkpoint, or model: shallow-water (the reference model, equivalent-barotropic)",
        parameters: rolloutParameters.map { spec in
            var spec = spec
            if spec.name == "checkpoint" { spec.required = false; spec.help = "emulator checkpoint (or model: shallow-water)" }
            return spec
        } + [
            ParameterSpec("model", .choice(["shallow-water"]), help: "the reference model instead of a checkpoint"),
            ParameterSpec("truncation", .integer, help: "shallow-water: triangular truncation (default 42)"),
            ParameterSpec("output_grid", .grid, help: "shallow-water: grid the forecast is written on"),
            ParameterSpec("level", .number, help: "shallow-water: pressure level of the analysis, hPa (default 500)"),
            ParameterSpec("output_hours", .number, help: "shallow-water: hours between records (default 6)"),
        ],
        output: .file(extension: "nc"),
        arguments: { p, c in
            guard p.string("model") == "shallow-water" else { return rolloutArguments(p, c) }
            return ["barotropic", p.path("init") ?? "", "--days", p.legDays ?? "", "--out", c.output]
                + p.flags(["grid", "truncation", "output_grid", "level", "output_hours"])
        },
        resumes: true,
        grid: { p, checks in p.string("model") == "shallow-water" ? (p.string("output_grid") ?? p.string("grid") ?? "gaussian-n32") : checkpointGrid(checks) },
        checker: { p, checks in
            let physical = p.string("model") == "shallow-water"
            if physical == (p.path("checkpoint") != nil) {
                return [("checkpoint", "give a checkpoint (an emulator) or model: shallow-water (the reference model), one of them")]
            }
            if physical {
                if p.legDays == nil { return [("days", "needed: the cycles have no next point to run to")] }
                return ["segment_steps", "forcing", "device"].filter { p.values[$0] != nil }.map { ($0, "applies to emulator forecasts only") }
            }
            let extra = ["truncation", "output_grid", "level", "output_hours"].filter { p.values[$0] != nil }
            return extra.map { ($0, "applies to model: shallow-water only") } + rolloutChecks(p, checks)
        })

    static let transport = CommandStage(
        name: "transport", summary: "the reference transport model (mass fixer, surface fluxes) from files: a folder with transport.nc and its budget",
        parameters: [
            ParameterSpec("met", .paths, required: true, help: "meteorology files"),
            ParameterSpec("fluxes", .paths, help: "surface-flux files"),
            ParameterSpec("init", .path, help: "file holding the initial co2massmix"),
            ParameterSpec("start", .date, help: "start date (default: the cycle point)"),
            ParameterSpec("days", .number, help: "days to run (default: to the next cycle point, one leg of a chain)"),
            ParameterSpec("grid", .grid, help: "transport grid"),
            ParameterSpec("levels", .string, help: "transport levels (l10, l20)"),
            ParameterSpec("time_step", .number, help: "seconds"),
            ParameterSpec("output_interval_hours", .number, help: "hours between written records"),
            ParameterSpec("eddy_diffusion", .choice(["none", "carbonbench"]), help: "horizontal eddy mixing"),
            ParameterSpec("name", .string, help: "model name recorded in the file"),
        ],
        output: .folder,
        arguments: { p, c in
            var arguments = ["transport"] + p.flags(["met", "fluxes", "grid", "levels", "time_step", "output_interval_hours", "eddy_diffusion", "name"])
            if let initial = p.path("init") { arguments += ["--init", initial, "--start", p.startDate] }
            let days = Double(p.legDays ?? "") ?? 0
            arguments += ["--hours", String(days * 24), "--out", c.output]
            return arguments
        },
        grid: { p, _ in p.string("grid") ?? "latlon5.625" },
        checker: { p, _ in p.legDays == nil ? [("days", "needed: the cycles have no next point to run to")] : [] })

    static let co2TwinParameters = ["data", "weeks", "lag", "transport", "bands", "land_sigma", "ocean_sigma",
                                    "truth_sigma_scale", "persistent_share", "flask_sigma", "continuous_sigma", "time_step"]
    static let weatherTwinParameters = ["truth", "nmc", "stations", "days", "method", "rtps", "additive_inflation"]

    /// `assimilate`: a twin experiment — the CO2 flux inversion (`plume osse co2`) or the
    /// weather analysis cycle (`plume osse weather`) — as one stage whose folder holds the
    /// analyses, budgets, diagnostics and plots. A killed stage runs again from its start.
    static let assimilate = CommandStage(
        name: "assimilate", summary: "a twin experiment: the CO2 flux inversion (twin: co2) or the weather analysis cycle (twin: weather), a folder of results",
        parameters: [
            ParameterSpec("twin", .choice(["co2", "weather"]), required: true, help: "which experiment"),
            ParameterSpec("checkpoint", .path, help: "emulator checkpoint (weather: required; co2: with transport: emulator)"),
            ParameterSpec("members", .integer, help: "ensemble members"),
            ParameterSpec("seed", .integer, help: "seed of the truth, the observation noise and the ensemble"),
            ParameterSpec("threads", .integer, help: "libtorch threads"),
            ParameterSpec("length_km", .number, help: "correlation length (co2: between regions; weather: of B, the localisation)"),
            ParameterSpec("data", .path, help: "co2: CarbonBench-layout file (winds, prior fluxes, initial CO2)"),
            ParameterSpec("weeks", .integer, help: "co2: weeks to invert"),
            ParameterSpec("lag", .integer, help: "co2: smoother lag, weeks"),
            ParameterSpec("transport", .choice(["reference", "emulator", "emulator-perturbations"]), help: "co2: the inversion's transport"),
            ParameterSpec("bands", .string, help: "co2: latitude band edges of the regions"),
            ParameterSpec("land_sigma", .number, help: "co2: prior σ of a land factor"),
            ParameterSpec("ocean_sigma", .number, help: "co2: prior σ of an ocean factor"),
            ParameterSpec("truth_sigma_scale", .number, help: "co2: the persistent part of the truth's factors deviates from 1 by this × its prior σ"),
            ParameterSpec("persistent_share", .number, help: "co2: share of the prior variance in the factors' persistent part (0: independent weeks)"),
            ParameterSpec("flask_sigma", .number, help: "co2: flask observation error, ppm"),
            ParameterSpec("continuous_sigma", .number, help: "co2: continuous observation error, ppm"),
            ParameterSpec("time_step", .number, help: "co2: reference transport step, s"),
            ParameterSpec("truth", .path, help: "weather: the truth file (plume generate weather)"),
            ParameterSpec("nmc", .path, help: "weather: data for the NMC estimate of σb"),
            ParameterSpec("stations", .paths, help: "weather: BUFR files whose report positions are the stations"),
            ParameterSpec("days", .number, help: "weather: days to cycle"),
            ParameterSpec("method", .choice(["oi", "letkf"]), help: "weather: the analysis"),
            ParameterSpec("rtps", .number, help: "weather: LETKF relaxation to prior spread"),
            ParameterSpec("additive_inflation", .number, help: "weather: LETKF additive inflation, × the NMC σb of h"),
        ],
        output: .folder,
        arguments: { p, c in
            let twin = p.string("twin") ?? "co2"
            let own = twin == "co2" ? co2TwinParameters : weatherTwinParameters
            return ["osse", twin] + p.flags(["checkpoint", "members", "seed", "threads", "length_km"] + own) + ["--out", c.output]
        },
        checker: { p, _ in
            let co2 = p.string("twin") != "weather"
            var issues: [(String, String)] = []
            for key in (co2 ? weatherTwinParameters : co2TwinParameters) where p.values[key] != nil {
                issues.append((key, "applies to twin: \(co2 ? "weather" : "co2") only"))
            }
            if co2 {
                if p.values["data"] == nil { issues.append(("data", "the CO2 twin needs its data file (winds, prior fluxes, initial CO2)")) }
                if let transport = p.string("transport"), transport != "reference", p.values["checkpoint"] == nil { issues.append(("checkpoint", "transport: \(transport) needs a checkpoint")) }
            } else {
                for key in ["checkpoint", "truth", "nmc", "stations"] where p.values[key] == nil {
                    issues.append((key, "the weather twin needs it"))
                }
            }
            return issues
        })

    static let verify = CommandStage(
        name: "verify", summary: "rollouts scored against the truth (tables, lead curves, maps: a folder)",
        parameters: [
            ParameterSpec("rollouts", .paths, required: true, help: "rollout files"),
            ParameterSpec("truth", .paths, required: true, help: "truth files"),
            ParameterSpec("climatology", .path, help: "training file for the weather climatology"),
            ParameterSpec("leads_days", .string, help: "leads reported, days, comma-separated"),
        ],
        output: .folder,
        arguments: { p, c in
            ["evaluate"] + p.paths("rollouts") + p.flags(["truth", "climatology", "leads_days"]) + ["--out", c.output]
        })

    static let plot = CommandStage(
        name: "plot", summary: "the figures of a CarbonBench-mini or transport folder (PNG)",
        parameters: [
            ParameterSpec("what", .choice(["carbonbench", "transport"]), required: true, help: "kind of folder"),
            ParameterSpec("folder", .path, required: true, help: "the folder to plot"),
        ],
        output: .folder,
        arguments: { p, c in ["plot", p.string("what") ?? "", p.path("folder") ?? "", "--out", c.output] })

    static let export = CommandStage(
        name: "export", summary: "a file as CF netCDF-4 for users (compressed)",
        parameters: [
            ParameterSpec("input", .path, required: true, help: "file to export"),
            ParameterSpec("deflate", .integer, help: "zlib level 0–9"),
        ],
        output: .file(extension: "nc"),
        arguments: { p, c in ["convert", p.path("input") ?? "", c.output] + p.flags(["deflate"]) })

    static let text = TextStage()
}

/// `text`: writes its `text` parameter (templates filled in) to a file. Marks, notes and
/// the engine's own benchmarks.
struct TextStage: StageKind {
    let name = "text"
    let summary = "a small text file from the text parameter"
    let parameters = [ParameterSpec("text", .string, required: true, help: "the file's content")]
    let output = StageOutput.file(extension: "txt")

    func command(_ parameters: StageParameters, context: StageContext) throws(PipelineError) -> StageCommand {
        .write(Array(((parameters.string("text") ?? "") + "\n").utf8))
    }
}
