import Foundation

/// The mass budget of each reference-transport output of a run (`transport-budget.json`):
/// one row per task — for a chain of monthly legs, the monthly budget: CO2 mass at the start
/// and the end, the surface flux added, and what is left over.
enum MassBudgets {
    struct Row {
        var stage: String
        var cycle: String
        var days: Double
        var initialPgC: Double
        var finalPgC: Double
        var sourcePgC: Double
        var worstRelativeResidual: Double
        /// final − initial − source, PgC.
        var residualPgC: Double { finalPgC - initialPgC - sourcePgC }
    }

    static func rows(runFolder: String, outputs: [RunCatalog.OutputRecord]) -> [Row] {
        struct Snapshot: Decodable { var hours: Double; var massPgC: Double; var appliedSourcePgC: Double; var relativeResidual: Double }
        struct Budget: Decodable { var snapshots: [Snapshot] }
        var rows: [Row] = []
        for output in outputs where output.path.hasSuffix("transport-budget.json") {
            guard let data = FileManager.default.contents(atPath: runFolder + "/" + output.path),
                  let budget = try? JSONDecoder().decode(Budget.self, from: data),
                  let first = budget.snapshots.first, let last = budget.snapshots.last else { continue }
            rows.append(Row(stage: output.stage, cycle: output.cycle, days: last.hours / 24, initialPgC: first.massPgC, finalPgC: last.massPgC,
                            sourcePgC: last.appliedSourcePgC,
                            worstRelativeResidual: budget.snapshots.map { abs($0.relativeResidual) }.max() ?? 0))
        }
        return rows.sorted { ($0.stage, $0.cycle) < ($1.stage, $1.cycle) }
    }

    static let header = ["stage", "cycle", "days", "CO2 start (PgC)", "CO2 end (PgC)", "surface flux (PgC)", "end − start − flux (PgC)", "worst step residual"]

    static func cells(_ row: Row) -> [String] {
        [row.stage, row.cycle, String(format: "%g", row.days), String(format: "%.4f", row.initialPgC), String(format: "%.4f", row.finalPgC),
         String(format: "%+.4f", row.sourcePgC), String(format: "%+.2e", row.residualPgC), String(format: "%.1e", row.worstRelativeResidual)]
    }

    static func html(_ rows: [Row]) -> String {
        guard !rows.isEmpty else { return "" }
        var out = "<h2>Mass budgets</h2><table id=\"budgets\"><tr>" + header.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>"
        for row in rows { out += "<tr>" + cells(row).map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>" }
        return out + "</table>"
    }

    static func markdown(_ rows: [Row]) -> [String] {
        guard !rows.isEmpty else { return [] }
        return ["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count)]
            + rows.map { "| " + cells($0).joined(separator: " | ") + " |" }
    }
}
