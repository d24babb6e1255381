import PlumeIO
import Torch

/// The records of one batch of `steps`-step windows, as read from a data file: for each
/// offset k = 0 … steps and each timed variable (prognostic and forcing) the values of all
/// samples, `[batch, level, lat, lon]` row-major, at record `starts[b] + k`.
struct TrainingWindow: Sendable {
    /// Start record of each sample.
    var starts: [Int]
    /// Steps of the window (it holds `steps + 1` records per sample).
    var steps: Int
    /// `fields[k][name]`: `[batch, level, lat, lon]` values at offset k.
    var fields: [[String: [Float]]]
    /// Day of the year (0 = 1 January 00:00) of each sample's record at each offset: `[k][batch]`.
    var dayOfYear: [[Double]]
    /// The sampler after drawing this batch (what a checkpoint taken after training on it stores).
    var samplerAfter: TrainingSampler.State?

    /// Reads the window of `starts` from `file` (`variables`: the timed variables the model reads).
    static func read(_ file: EmulatorDataFile, starts: [Int], steps: Int, variables: [String]) throws(EmulatorError) -> TrainingWindow {
        var fields: [[String: [Float]]] = []
        var days: [[Double]] = []
        for k in 0...steps {
            var atK: [String: [Float]] = [:]
            for name in variables {
                var values: [Float] = []
                for t in starts { values += try file.read(name, time: t + k) }
                atK[name] = values
            }
            fields.append(atK)
            var dayK: [Double] = []
            for t in starts {
                guard t + k < file.times.count else {
                    throw .invalidRequest("\(file.path): record \(t + k) is outside 0 ..< \(file.times.count)")
                }
                dayK.append(dayOfYear(file.times[t + k]))
            }
            days.append(dayK)
        }
        return TrainingWindow(starts: starts, steps: steps, fields: fields, dayOfYear: days, samplerAfter: nil)
    }

    /// Tensors `[batch, level, lat, lon]` of `names` at offset `k` on `device` (for CUDA through
    /// pinned host memory and asynchronous copies: `Tensor.uploaded`).
    func tensors(_ names: [String], at k: Int, levels: [String: Int], grid: EmulatorGrid, device: Device) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        let shape = grid.shape
        for name in names {
            guard let values = fields[k][name] else {
                throw EmulatorError.failed(context: "training batch", reason: "no values of '\(name)' at offset \(k)")
            }
            // Read ahead by the loader thread; on a GPU, copied from pinned memory without blocking.
            out[name] = try Tensor.uploaded(values, shape: [starts.count, levels[name] ?? 1, shape[0], shape[1]], to: device)
        }
        return out
    }

    /// Day of the year of `date` (0 = 1 January 00:00, fractional), proleptic Gregorian leap years.
    static func dayOfYear(_ date: CFDate) -> Double {
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        let leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0
        let month = min(max(date.month, 1), 12)
        var day = cumulative[month - 1] + date.day - 1
        if leap, month > 2 { day += 1 }
        return Double(day) + (Double(date.hour) + Double(date.minute) / 60 + date.second / 3600) / 24
    }
}
