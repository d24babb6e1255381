/// The sbatch script of a campaign: a job array whose task i runs `plume run PIPELINE
/// --shard i/N` (through SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT), all tasks sharing
/// the run folder and its catalog.
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
            #SBATCH --output=\(runFolder)/.plume/slurm/%A_%a.out
            # Written by plume submit (Plume). Each array task runs one shard of the cycles;
            # the tasks share the run folder's catalog. Resubmitting resumes: completed work
            # is skipped.
            set -euo pipefail
            exec \(quote(plume)) run \(quote(pipeline)) --shard "${SLURM_ARRAY_TASK_ID}/\(arraySize)"

            """
    }
}
