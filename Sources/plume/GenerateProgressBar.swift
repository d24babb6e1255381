import Foundation
import PlumePhysics

/// Progress of `plume generate weather` on standard error: on a terminal a bar redrawn in
/// place (`\r`) with the model day, model days per second and the time left; otherwise a line
/// per 5 % of the run (and at least every 60 s).
///
/// Used from the one thread that runs the model (a class for its counters; not `Sendable`).
final class GenerateProgressBar {
    let interactive: Bool
    private var lastPercent = -1
    private var lastLine = Date.distantPast
    private var drawn = false

    init(interactive: Bool) { self.interactive = interactive }

    func update(_ p: WeatherProgress) {
        let percent = Int((p.fractionCompleted * 100).rounded(.down))
        let eta = p.estimatedSecondsLeft.map(Self.duration) ?? "?"
        let phase = p.phase == .spinUp ? "spin-up" : (p.file ?? "recording")
        let text = String(format: "day %.2f/%.2f %@ %.2f days/s ETA %@ max wind %.0f m/s",
                          p.modelDays, p.totalModelDays, phase, p.daysPerSecond, eta, p.maximumWind)
        if interactive {
            let width = 30
            let filled = min(width, Int(p.fractionCompleted * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(String(format: "%3d", percent))% \(text)\u{1B}[K".utf8))
            drawn = true
        } else if percent / 5 != lastPercent / 5 || Date().timeIntervalSince(lastLine) >= 60 {
            FileHandle.standardError.write(Data("\(percent)% \(text)\n".utf8))
            lastLine = Date()
        }
        lastPercent = percent
    }

    /// Ends the bar's line (on a terminal).
    func finish() {
        if interactive && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }

    /// "1h02m", "3m05s", "12s".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
