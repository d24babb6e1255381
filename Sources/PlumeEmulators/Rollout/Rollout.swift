import Foundation
import PlumeIO
import PlumeSupport
import Torch

/// Runs a trained emulator forward from an initial state, writing every step to a CF netCDF
/// file, resumably.
///
/// The steps go to disk as they are made: every `segmentSteps` steps a segment file is
/// written atomically into the folder `OUTPUT.parts/` (with the request, so a resume can
/// check it is the same one). The state an emulator carries is exactly its last written
/// record (float32 in memory and on disk), so a killed rollout resumed with `resume: true`
/// continues from the last complete segment and produces a byte-identical file. When all
/// steps are done the segments are joined into `OUTPUT` (atomically) and the folder removed.
///
/// The output has the variables of the data under the same names: every prognostic variable,
/// and for a transport model also the air mass and the surface fluxes it applied (record k
/// holds the mean fluxes over [t_k, t_k + Δt], as in CarbonBench), and `cell_area`, so the
/// global budget can be checked from the file alone. Record 0 is the initial state.
public enum Rollout {
    /// Runs `request`. `progress` receives steps done (resumed ones included) and the total.
    /// - Throws: `EmulatorError` naming the file, variable or date at fault; on failure the
    ///   completed segments stay for a resume and nothing is written under `request.output`.
    public static func run(_ request: RolloutRequest, resume: Bool = false, device: Device = .cpu,
                           progress: ((Int, Int) throws -> Void)? = nil) throws -> RolloutSummary {
        guard request.steps >= 1 else { throw EmulatorError.invalidRequest("the rollout needs at least one step (--days too short?)") }
        guard request.segmentSteps >= 1 else { throw EmulatorError.invalidRequest("segment length must be at least 1 step") }
        let fm = FileManager.default
        if fm.fileExists(atPath: request.output) {
            throw EmulatorError.invalidRequest("\(request.output) exists: remove it or choose another output name (a rollout never overwrites)")
        }
        let (emulator, _) = try Emulator.load(checkpoint: request.checkpoint, device: device)
        let model = ModelFile(definition: emulator.definition, path: request.checkpoint)
        let definition = emulator.definition
        // With forcing files of its own, the initial file only gives the state (the end of an
        // earlier rollout, say).
        let separateForcing = !request.forcingFiles.isEmpty && !request.forcingFiles.contains(request.initialFile)
        let initial = try EmulatorDataFile(path: request.initialFile, model: model, prognosticOnly: separateForcing)
        try emulator.checkFits(initial, checkpoint: request.checkpoint)
        var forcingFiles: [EmulatorDataFile] = []
        for path in request.forcingFiles {
            let file = path == request.initialFile ? initial : try EmulatorDataFile(path: path, model: model)
            try emulator.checkFits(file, checkpoint: request.checkpoint)
            forcingFiles.append(file)
        }

        // Dates of every record of the output, on the initial file's time axis.
        let start = try request.startDate()
        let units: CFTimeUnits
        do {
            units = try CFTimeUnits(units: initial.timeUnits, calendar: initial.calendar)
        } catch {
            throw EmulatorError.dataMismatch(file: initial.path, issues: ["time units '\(initial.timeUnits)': \(error)"])
        }
        let stepUnits = definition.timeStepHours * 3600 / units.secondsPerUnit
        let startValue = units.value(of: start)
        let timeValues = (0...request.steps).map { startValue + Double($0) * stepUnits }
        let dates = timeValues.map { units.date($0) }
        guard let startRecord = initial.times.firstIndex(where: { RecordKey($0) == RecordKey(start) }) else {
            let range = initial.times.first.map { "\($0) … \(initial.times.last.map { "\($0)" } ?? "")" } ?? "no records"
            throw EmulatorError.invalidRequest("\(initial.path) has no record at the start \(start) (it covers \(range))")
        }
        var forcingIndex: [RecordKey: (file: Int, record: Int)] = [:]
        for (f, file) in forcingFiles.enumerated() {
            for (r, date) in file.times.enumerated() where forcingIndex[RecordKey(date)] == nil {
                forcingIndex[RecordKey(date)] = (f, r)
            }
        }
        if !definition.variables.forcing.isEmpty, let missing = dates.first(where: { forcingIndex[RecordKey($0)] == nil }) {
            throw EmulatorError.invalidRequest("no forcing at \(missing) in \(request.forcingFiles.joined(separator: ", ")): a rollout of \(request.steps) steps from \(start) needs forcing records up to \(dates.last.map { "\($0)" } ?? "")")
        }

        // Segments of an earlier run.
        let parts = RolloutParts(output: request.output)
        var resumedRecords = 0
        if fm.fileExists(atPath: parts.folder) {
            guard resume else {
                throw EmulatorError.invalidRequest("an interrupted rollout to \(request.output) left \(parts.folder): pass --resume to continue it, or delete the folder")
            }
            resumedRecords = try parts.completedRecords(matching: request)
        } else {
            try parts.create(for: request)
        }

        let prognostic = definition.variables.prognostic
        let p = definition.processing
        var outputVariables = prognostic
        if definition.task == .transport {
            for name in [p.airMass] + (p.surfaceFlux ? p.fluxes : []) where !outputVariables.contains(name) {
                outputVariables.append(name)
            }
        }
        let nLat = initial.grid.latitudes.count, nLon = initial.grid.longitudes.count
        func levels(_ name: String) -> Int { emulator.info.levels[name] ?? 1 }
        func forcingRecord(_ k: Int, _ name: String) throws(EmulatorError) -> [Float] {
            guard let at = forcingIndex[RecordKey(dates[k])] else {
                throw EmulatorError.invalidRequest("no forcing at \(dates[k])")
            }
            return try forcingFiles[at.file].read(name, time: at.record)
        }
        func dayOfYear(_ date: CFDate) -> Double {
            let january = CFDate(year: date.year, month: 1, day: 1)
            return (units.value(of: date) - units.value(of: january)) * units.secondsPerUnit / 86400
        }

        // The state at the first record to make.
        var state: [String: [Float]] = [:]
        if resumedRecords > 0 {
            state = try parts.lastRecord(of: prognostic, segmentStart: parts.segmentStart(containing: resumedRecords - 1, length: request.segmentSteps),
                                         levels: levels, grid: (nLat, nLon))
        } else {
            for name in prognostic { state[name] = try initial.read(name, time: startRecord) }
        }

        // The physics prior driven by each forcing file (`processing.physics_prior`).
        var priors: [Int: ReferenceTransportPrior] = [:]
        func prior(forcingFile f: Int) throws -> ReferenceTransportPrior {
            if let known = priors[f] { return known }
            let made = try ReferenceTransportPrior(dataFile: forcingFiles[f].path, definition: definition, grid: emulator.processor.grid)
            priors[f] = made
            return made
        }

        emulator.network.eval()
        let clock = ContinuousClock()
        let began = clock.now
        var segment = RolloutSegment(start: max(resumedRecords, 0))
        if resumedRecords == 0 {
            var record: [String: [Float]] = state
            for name in outputVariables where record[name] == nil { record[name] = try forcingRecord(0, name) }
            segment.append(record, time: timeValues[0])
        }
        let firstStep = max(resumedRecords, 1)
        try progress?(firstStep - 1, request.steps)
        let recordsPerSegment = request.segmentSteps
        for k in stride(from: firstStep, through: request.steps, by: 1) {
            // Step from record k − 1 to record k.
            let next: [String: [Float]] = try Torch.withoutGrad { () throws -> [String: [Float]] in
                var batchState: [String: Tensor] = [:], forcing: [String: Tensor] = [:], forcingNext: [String: Tensor] = [:]
                for name in prognostic {
                    batchState[name] = try Tensor(state[name] ?? [], shape: [1, levels(name), nLat, nLon]).to(device: device)
                }
                for name in definition.variables.forcing {
                    forcing[name] = try Tensor(try forcingRecord(k - 1, name), shape: [1, levels(name), nLat, nLon]).to(device: device)
                    forcingNext[name] = try Tensor(try forcingRecord(k, name), shape: [1, levels(name), nLat, nLon]).to(device: device)
                }
                var batch = StepBatch(state: batchState, forcing: forcing, forcingNext: forcingNext,
                                      dayOfYear: [dayOfYear(dates[k - 1])])
                if definition.processing.usesPhysicsPrior {
                    guard let at = forcingIndex[RecordKey(dates[k - 1])] else {
                        throw EmulatorError.invalidRequest("no forcing at \(dates[k - 1]) for the physics prior")
                    }
                    try prior(forcingFile: at.file).attach(to: &batch, records: [at.record])
                }
                let result = try emulator.step(batch, fix: true)
                var out: [String: [Float]] = [:]
                for name in prognostic {
                    guard let tensor = result[name] else { continue }
                    let values = try tensor.to(device: .cpu).contiguous().toArray(of: Float.self)
                    if let bad = values.firstIndex(where: { !$0.isFinite }) {
                        throw EmulatorError.failed(context: "rollout step \(k) (\(dates[k]))",
                                                   reason: "'\(name)' became \(values[bad]) at element \(bad): the emulator is unstable here")
                    }
                    out[name] = values
                }
                return out
            }
            state = next
            var record = next
            for name in outputVariables where record[name] == nil { record[name] = try forcingRecord(k, name) }
            segment.append(record, time: timeValues[k])
            if segment.count == recordsPerSegment || k == request.steps {
                try parts.write(segment, variables: outputVariables, levels: levels, grid: (nLat, nLon))
                segment = RolloutSegment(start: k + 1)
            }
            try progress?(k, request.steps)
        }
        let seconds = (clock.now - began) / .seconds(1)
        let stepsRun = max(request.steps - firstStep + 1, 0)

        let assembled = try RolloutAssembler(request: request, emulator: emulator, initial: initial, units: units,
                                             timeValues: timeValues, variables: outputVariables, levels: levels,
                                             parts: parts).write()
        try? fm.removeItem(atPath: parts.folder)
        return RolloutSummary(stepsRun: stepsRun, stepsResumed: request.steps - stepsRun,
                              worstMassResidual: assembled.worstMassResidual, minimumTracer: assembled.minimumTracer,
                              seconds: seconds,
                              daysPerSecond: seconds > 0 ? Double(stepsRun) * definition.timeStepHours / 24 / seconds : 0)
    }
}
