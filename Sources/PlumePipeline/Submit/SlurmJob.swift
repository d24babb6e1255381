import Foundation

/// The Slurm job a process runs in, from the variables Slurm sets for a batch job: an array
/// task as `ARRAYJOB_TASK` (`123_2`, as squeue and the `%A_%a` log names write it), any
/// other job as its id. The run catalog records it with each task; `plume status` shows it.
public enum SlurmJob {
    /// Nil outside Slurm.
    public static func current(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        if let job = value("SLURM_ARRAY_JOB_ID"), let task = value("SLURM_ARRAY_TASK_ID") { return "\(job)_\(task)" }
        return value("SLURM_JOB_ID")
    }
}
