import Foundation
import PlumeSupport

/// `plume report`: one self-contained HTML page for a run — the plan as a graph, the status
/// table, the verification tables (each verify stage's scores.md) and every PNG figure the
/// run wrote, embedded (no file beside it is needed to view it).
public enum RunReport {
    /// Writes the report of `definition`'s run to `path` (atomically).
    public static func write(_ definition: PipelineDefinition, catalog: RunCatalog, to path: String) throws(PipelineError) {
        let html = try render(definition, catalog: catalog)
        do { try AtomicFile.write(Data(html.utf8), to: path) } catch { throw .io(path: path, reason: "\(error)") }
    }

    public static func render(_ definition: PipelineDefinition, catalog: RunCatalog) throws(PipelineError) -> String {
        let rows = try catalog.tasks()
        let outputs = try catalog.allOutputs()
        var stageStates: [String: String] = [:]
        let severity = ["failed": 5, "interrupted": 4, "blocked": 3, "running": 2, "retrying": 2, "waiting": 1, "done": 0]
        for row in rows where (severity[row.state] ?? 0) >= (severity[stageStates[row.stage] ?? "done"] ?? 0) {
            stageStates[row.stage] = row.state
        }
        var body = ""
        body += "<h1>\(HTML.escape(definition.name))</h1>"
        if let description = definition.description, !description.isEmpty { body += "<p>\(HTML.escape(description))</p>" }
        body += "<p class=\"meta\">Pipeline <code>\(HTML.escape(definition.file))</code> · run folder <code>\(HTML.escape(definition.runFolder))</code> · Plume \(HTML.escape(PlumeVersion.current))</p>"
        body += "<h2>Plan</h2><div class=\"graph\">\(PlanGraph.svg(definition, states: stageStates))</div>"

        body += "<h2>Status</h2><table id=\"status\"><thead><tr><th>stage</th><th>cycle</th><th>state</th><th>attempts</th><th>seconds</th><th>outputs</th><th>note</th></tr></thead><tbody>"
        var outputsByTask: [TaskKey: [RunCatalog.OutputRecord]] = [:]
        for output in outputs { outputsByTask[TaskKey(stage: output.stage, cycle: output.cycle, member: output.member), default: []].append(output) }
        for row in rows {
            let files = outputsByTask[row.key] ?? []
            let size = files.reduce(Int64(0)) { $0 + $1.size }
            let outputText = files.isEmpty ? "" : "\(files.count) file\(files.count == 1 ? "" : "s"), \(ByteCountFormatter.string(fromByteCount: size, countStyle: .file))"
            body += "<tr class=\"\(HTML.escape(row.state))\"><td>\(HTML.escape(row.stage + (row.member >= 0 ? "[\(row.member)]" : "")))</td><td>\(HTML.escape(row.cycle))</td><td>\(HTML.escape(row.state))</td><td>\(row.attempts)</td><td>\(row.seconds.map { String(format: "%.1f", $0) } ?? "")</td><td>\(HTML.escape(outputText))</td><td>\(HTML.escape(row.state == "done" ? "" : row.error ?? ""))</td></tr>"
        }
        body += "</tbody></table>"

        // Verification tables.
        let verifyStages = Set(definition.stages.filter { $0.kind == "verify" }.map(\.name))
        var verification = ""
        for output in outputs where verifyStages.contains(output.stage) && output.path.hasSuffix("scores.md") {
            guard let text = try? String(contentsOfFile: definition.runFolder + "/" + output.path, encoding: .utf8) else { continue }
            verification += "<section><h3>\(HTML.escape(output.stage)) · \(HTML.escape(output.cycle))</h3>\(markdown(text))</section>"
        }
        if !verification.isEmpty { body += "<h2>Verification</h2>" + verification }
        body += MassBudgets.html(MassBudgets.rows(runFolder: definition.runFolder, outputs: outputs))

        // Figures.
        var figures = ""
        var count = 0
        for output in outputs where output.path.lowercased().hasSuffix(".png") {
            guard let data = FileManager.default.contents(atPath: definition.runFolder + "/" + output.path) else { continue }
            count += 1
            figures += "<figure><img class=\"figure\" alt=\"\(HTML.escape(output.path))\" src=\"data:image/png;base64,\(data.base64EncodedString())\"><figcaption>\(HTML.escape(output.path))</figcaption></figure>"
        }
        if !figures.isEmpty { body += "<h2>Figures</h2><div class=\"figures\">\(figures)</div>" }

        let style = """
            body{font-family:sans-serif;margin:2em;max-width:1400px;color:#222}table{border-collapse:collapse;margin:0.5em 0 1.5em}\
            td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}th{background:#f0f0f0}\
            tr.done td:nth-child(3){color:#176317}tr.failed td:nth-child(3){color:#a11}.meta{color:#555}\
            .figures{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;max-width:640px}img.figure{max-width:640px;border:1px solid #ddd}\
            figcaption{font-size:12px;color:#555}.graph{overflow-x:auto}
            """
        let script = """
            window.plumeErrors=[];window.addEventListener('error',function(e){window.plumeErrors.push(String(e.message||e));});\
            window.addEventListener('load',function(){var imgs=document.querySelectorAll('img.figure');var ok=0;\
            for(var i=0;i<imgs.length;i++){if(imgs[i].complete&&imgs[i].naturalWidth>0){ok++;}}\
            document.body.setAttribute('data-figures-loaded',String(ok));document.body.setAttribute('data-figures',String(imgs.length));\
            document.body.setAttribute('data-errors',String(window.plumeErrors.length));document.body.setAttribute('data-ready','yes');});
            """
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Plume run: \(HTML.escape(definition.name))</title><style>\(style)</style><script>\(script)</script></head><body data-expected-figures=\"\(count)\">\(body)</body></html>\n"
    }

    /// Headings, tables and paragraphs of a markdown text as HTML.
    static func markdown(_ text: String) -> String {
        var out = ""
        var table: [[String]] = []
        func flush() {
            guard !table.isEmpty else { return }
            out += "<table>"
            for (i, row) in table.enumerated() where !(i == 1 && row.allSatisfy { $0.allSatisfy { "-: ".contains($0) } }) {
                let tag = i == 0 ? "th" : "td"
                out += "<tr>" + row.map { "<\(tag)>\(HTML.escape($0))</\(tag)>" }.joined() + "</tr>"
            }
            out += "</table>"
            table = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("|") {
                table.append(line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) })
                continue
            }
            flush()
            if line.hasPrefix("#") {
                let level = min(6, 3 + line.prefix(while: { $0 == "#" }).count)
                out += "<h\(level)>\(HTML.escape(line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)))</h\(level)>"
            } else if !line.isEmpty {
                out += "<p>\(HTML.escape(line))</p>"
            }
        }
        flush()
        return out
    }
}
