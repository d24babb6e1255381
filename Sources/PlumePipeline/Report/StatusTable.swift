import Foundation

/// The status of a run as text: one row per task (stage × cycle × member) with its state,
/// attempts, time, host/pid, the Slurm job (when any task ran under Slurm) and, for a
/// failure, the error; then the counts by state.
public enum StatusTable {
    /// The table for the tasks in `catalog`.
    public static func render(_ rows: [RunCatalog.TaskRecord]) -> String {
        var lines: [String] = []
        // The Slurm column only for runs that had Slurm jobs (array tasks as `JOB_TASK`).
        let slurm = rows.contains { $0.slurmJob != nil }
        let header = ["stage", "cycle", "state", "tries", "seconds", "host/pid"] + (slurm ? ["slurm"] : []) + ["note"]
        var table: [[String]] = []
        for row in rows.sorted(by: { ($0.cycle == "once" ? "" : $0.cycle == "final" ? "~" : $0.cycle, $0.stage, $0.member) < ($1.cycle == "once" ? "" : $1.cycle == "final" ? "~" : $1.cycle, $1.stage, $1.member) }) {
            let stage = row.stage + (row.member >= 0 ? "[\(row.member)]" : "")
            let seconds = row.seconds.map { String(format: "%.1f", $0) } ?? ""
            let who = row.host.map { "\($0)/\(row.pid ?? 0)" } ?? ""
            let note = row.state == "done" ? "" : (row.error ?? "")
            table.append([stage, row.cycle, row.state, String(row.attempts), seconds, who] + (slurm ? [row.slurmJob ?? ""] : [])
                         + [String(note.prefix(160))])
        }
        var widths = header.map(\.count)
        for row in table { for (i, cell) in row.enumerated() where i < header.count - 1 { widths[i] = max(widths[i], cell.count) } }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in i < cells.count - 1 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) : cell }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        lines.append(format(header))
        lines.append(format(widths.enumerated().map { i, w in i < widths.count - 1 ? String(repeating: "-", count: w) : "----" }))
        for row in table { lines.append(format(row)) }
        var counts: [String: Int] = [:]
        for row in rows { counts[row.state, default: 0] += 1 }
        lines.append("")
        lines.append(counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
