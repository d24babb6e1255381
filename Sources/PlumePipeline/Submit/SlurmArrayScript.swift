/// The sbatch script of a campaign: a job array whose task i runs `plume run PIPELINE
/// --shard i/N --run-folder RUN` (through SLURM_ARRAY_TASK_ID), all tasks sharing the run
/// folder and its catalog; each task's log is `RUN/.plume/slurm/JOB_TASK.out`.
public enum SlurmArrayScript {
    /// The script text. Paths are quoted for the shell that sbatch starts.
    public static func render(pipeline: String, plume: String, arraySize: Int, name: String, runFolder: String,
                              cpusPerTask: Int = 2, timeLimit: String = "12:00:00") -> String {
        func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return """
            #!/bin/bash
            #SBATCH --job-name=plume-\(name)
            #SBATCH --array=0-\(arraySize - 1)
            #SBATCH --cpus-per-task=\(cpusPerTask)
            #SBATCH --time=\(timeLimit)
            #SBATCH --output=\(logPattern(runFolder: runFolder))
            # Written by plume submit (Plume). Each array task runs one shard of the cycles;
            # the tasks share the run folder's catalog. Resubmitting resumes: completed work
            # is skipped.
            set -euo pipefail
            exec \(quote(plume)) run \(quote(pipeline)) --shard "${SLURM_ARRAY_TASK_ID}/\(arraySize)" --run-folder \(quote(runFolder))

            """
    }

    /// The `--output` pattern: `RUN/.plume/slurm/%A_%a.out` (array job _ task).
    public static func logPattern(runFolder: String) -> String {
        runFolder + "/.plume/slurm/%A_%a.out"
    }

    /// The log of array task `task` of job `job`.
    public static func logPath(runFolder: String, job: String, task: String) -> String {
        runFolder + "/.plume/slurm/\(job)_\(task).out"
    }

    /// One array task's end, from `scontrol -o show job JOB` (one line per task).
    public struct TaskEnd: Sendable, Equatable {
        public var task: String
        public var state: String
        /// `status:signal`, as Slurm writes it.
        public var exitCode: String
    }

    /// The array tasks in `scontrol -o show job` output (fields `ArrayTaskId=`, `JobState=`,
    /// `ExitCode=`); lines without an array task id (such as a pending remainder `0-3%2`
    /// that has none yet) are left out.
    public static func taskEnds(scontrolOutput: String) -> [TaskEnd] {
        scontrolOutput.split(whereSeparator: \.isNewline).compactMap { line in
            var fields: [String: String] = [:]
            for word in line.split(separator: " ") {
                let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { continue }
                fields[String(parts[0])] = String(parts[1])
            }
            guard let task = fields["ArrayTaskId"], let state = fields["JobState"], !task.isEmpty else { return nil }
            return TaskEnd(task: task, state: state, exitCode: fields["ExitCode"] ?? "?")
        }
    }
}
