/// The stages of a pipeline as an SVG graph: columns by dependency depth, an arrow from each
/// stage to the stages that use it, boxes coloured by the state of their tasks.
enum PlanGraph {
    static func svg(_ definition: PipelineDefinition, states: [String: String]) -> String {
        let stages = definition.stages
        var depth: [String: Int] = [:]
        var edges: [(String, String)] = []
        func level(_ name: String, _ seen: Set<String>) -> Int {
            if let d = depth[name] { return d }
            guard let stage = definition.stage(named: name), !seen.contains(name) else { return 0 }
            let needs = Set(stage.references.map(\.reference.stage)).filter { $0 != name && definition.stage(named: $0) != nil }
            let d = needs.map { level($0, seen.union([name])) + 1 }.max() ?? 0
            depth[name] = d
            return d
        }
        for stage in stages {
            _ = level(stage.name, [])
            for needed in Set(stage.references.map(\.reference.stage)).sorted() where needed != stage.name && definition.stage(named: needed) != nil {
                edges.append((needed, stage.name))
            }
        }
        var columns: [[String]] = []
        for stage in stages {
            let d = depth[stage.name] ?? 0
            while columns.count <= d { columns.append([]) }
            columns[d].append(stage.name)
        }
        let boxWidth = 150, boxHeight = 44, gapX = 60, gapY = 18
        var position: [String: (x: Int, y: Int)] = [:]
        for (c, column) in columns.enumerated() {
            for (r, name) in column.enumerated() {
                position[name] = (20 + c * (boxWidth + gapX), 20 + r * (boxHeight + gapY))
            }
        }
        let width = 40 + columns.count * (boxWidth + gapX)
        let height = 40 + (columns.map(\.count).max() ?? 1) * (boxHeight + gapY)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"pipeline graph\">"
        out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>"
        for (from, to) in edges {
            guard let a = position[from], let b = position[to] else { continue }
            out += "<line x1=\"\(a.x + boxWidth)\" y1=\"\(a.y + boxHeight / 2)\" x2=\"\(b.x)\" y2=\"\(b.y + boxHeight / 2)\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>"
        }
        for stage in stages {
            guard let p = position[stage.name] else { continue }
            let state = states[stage.name] ?? "not run"
            let fill = ["done": "#cdeccd", "failed": "#f6c6c6", "blocked": "#f3dcb5", "running": "#cfe0f7", "interrupted": "#f3dcb5", "waiting": "#e8e8e8"][state] ?? "#ffffff"
            out += "<g><rect x=\"\(p.x)\" y=\"\(p.y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"6\" fill=\"\(fill)\" stroke=\"#333\"/>"
            out += "<text x=\"\(p.x + boxWidth / 2)\" y=\"\(p.y + 18)\" text-anchor=\"middle\" font-size=\"13\" font-family=\"sans-serif\">\(HTML.escape(stage.name))</text>"
            out += "<text x=\"\(p.x + boxWidth / 2)\" y=\"\(p.y + 35)\" text-anchor=\"middle\" font-size=\"11\" font-family=\"sans-serif\" fill=\"#444\">\(HTML.escape(stage.kind)) · \(stage.scope.rawValue) · \(state)</text></g>"
        }
        return out + "</svg>"
    }
}

enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
