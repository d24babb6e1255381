import Foundation
import PlumeSupport
import Torch

/// The loss of one optimiser step, and the validation score when one was computed after it.
public struct TrainingLossRecord: Sendable, Equatable {
    /// Global optimiser step (1-based, all stages).
    public var step: Int
    /// `train` or `fine_tune`.
    public var phase: String
    /// Training loss of the step's batch (dimensionless, `StepProcessor.loss`).
    public var train: Double
    /// Validation rollout score after the step (same loss averaged over the rollout), if computed.
    public var validation: Double?

    public init(step: Int, phase: String, train: Double, validation: Double? = nil) {
        self.step = step
        self.phase = phase
        self.train = train
        self.validation = validation
    }

    /// `step,phase,train_loss,validation_loss` lines with a header (validation empty when not
    /// computed); values printed exactly (shortest round-tripping decimal).
    static func csv(_ records: [TrainingLossRecord]) -> String {
        var text = "step,phase,train_loss,validation_loss\n"
        for r in records {
            text += "\(r.step),\(r.phase),\(r.train),\(r.validation.map { "\($0)" } ?? "")\n"
        }
        return text
    }

    /// Writes `records` as CSV to `path`, atomically.
    static func write(_ records: [TrainingLossRecord], to path: String) throws(EmulatorError) {
        do {
            try AtomicFile.write(text: csv(records), to: path)
        } catch {
            throw .failed(context: "writing \(path)", reason: "\(error)")
        }
    }

    /// The history as checkpoint tensors: `history.step` (int64 `[n]`), `history.phase` (int64,
    /// 0 train / 1 fine_tune), `history.train` and `history.validation` (float64 `[n]`, NaN = none).
    static func tensors(_ records: [TrainingLossRecord]) throws(TorchError) -> [String: Tensor] {
        guard !records.isEmpty else { return [:] }
        return [
            "history.step": try Tensor(records.map { Int64($0.step) }, shape: [records.count]),
            "history.phase": try Tensor(records.map { Int64($0.phase == TrainingPhase.train.rawValue ? 0 : 1) }, shape: [records.count]),
            "history.train": try Tensor(records.map(\.train), shape: [records.count]),
            "history.validation": try Tensor(records.map { $0.validation ?? .nan }, shape: [records.count]),
        ]
    }

    /// The history stored by `tensors` (empty when the checkpoint holds none).
    static func records(from tensors: [String: Tensor], checkpoint: String) throws(EmulatorError) -> [TrainingLossRecord] {
        guard let stepTensor = tensors["history.step"] else { return [] }
        do {
            guard let phaseTensor = tensors["history.phase"], let trainTensor = tensors["history.train"],
                  let validationTensor = tensors["history.validation"] else {
                throw EmulatorError.invalidCheckpoint(file: checkpoint, reason: "incomplete loss history (history.*)")
            }
            let steps = try stepTensor.toArray(of: Int64.self), phases = try phaseTensor.toArray(of: Int64.self)
            let train = try trainTensor.toArray(of: Double.self), validation = try validationTensor.toArray(of: Double.self)
            guard phases.count == steps.count, train.count == steps.count, validation.count == steps.count else {
                throw EmulatorError.invalidCheckpoint(file: checkpoint, reason: "loss history tensors of different lengths")
            }
            return steps.indices.map { i in
                TrainingLossRecord(step: Int(steps[i]),
                                   phase: phases[i] == 0 ? TrainingPhase.train.rawValue : TrainingPhase.fineTune.rawValue,
                                   train: train[i], validation: validation[i].isNaN ? nil : validation[i])
            }
        } catch let error as EmulatorError {
            throw error
        } catch {
            throw .invalidCheckpoint(file: checkpoint, reason: "loss history: \(error)")
        }
    }
}
