import Foundation

/// What `plume run` prints at the end: the status table, each verification's first table,
/// and the paths of the run's netCDF files, figures and report.
public enum RunOverview {
    public static func render(_ definition: PipelineDefinition, catalog: RunCatalog, report: String) -> String {
        guard let rows = try? catalog.tasks(), let outputs = try? catalog.allOutputs() else { return "" }
        var lines = [""]
        if rows.count <= 40 {
            lines.append(StatusTable.render(rows))
        } else {
            // A large run: the tasks by stage and state, and every task that is not done.
            var byStage: [String: [String: Int]] = [:]
            for row in rows { byStage[row.stage, default: [:]][row.state, default: 0] += 1 }
            for stage in definition.stages.map(\.name) {
                guard let counts = byStage[stage] else { continue }
                lines.append("  \(stage): " + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
            }
            let open = rows.filter { $0.state != "done" }
            if !open.isEmpty { lines += ["", StatusTable.render(Array(open.prefix(40)))] }
            if open.count > 40 { lines.append("… \(open.count - 40) more (plume status)") }
        }
        let verifyStages = Set(definition.stages.filter { $0.kind == "verify" }.map(\.name))
        for output in outputs where verifyStages.contains(output.stage) && output.path.hasSuffix("scores.md") {
            guard let text = try? String(contentsOfFile: definition.runFolder + "/" + output.path, encoding: .utf8) else { continue }
            let table = text.split(separator: "\n").drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
            guard !table.isEmpty else { continue }
            lines += ["", "\(output.stage) (\(output.path)):"] + table.map(String.init)
        }
        let budgets = MassBudgets.markdown(MassBudgets.rows(runFolder: definition.runFolder, outputs: outputs))
        if !budgets.isEmpty { lines += ["", "mass budgets (reference transport):"] + budgets }
        let netCDF = outputs.filter { $0.path.hasSuffix(".nc") }.map(\.path)
        let figures = outputs.filter { $0.path.hasSuffix(".png") }.map(\.path)
        lines += ["", "outputs in \(definition.runFolder)/:"]
        lines.append("  netCDF (\(netCDF.count)): " + netCDF.joined(separator: ", "))
        var folders: [(String, Int)] = []
        for figure in figures {
            let folder = (figure as NSString).deletingLastPathComponent
            if let i = folders.firstIndex(where: { $0.0 == folder }) { folders[i].1 += 1 } else { folders.append((folder, 1)) }
        }
        lines.append("  figures (\(figures.count) PNG): " + folders.map { "\($0.0.isEmpty ? "." : $0.0)/ (\($0.1))" }.joined(separator: ", "))
        lines.append("  report: \(report)")
        lines.append("  catalog: \(catalog.path); logs: \(definition.runFolder)/.plume/logs/")
        return lines.joined(separator: "\n")
    }
}
