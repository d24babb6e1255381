import PlumeIO

/// The time window of a read (a run's period): records whose time is outside it are
/// skipped in every reading mode — they are not errors — each with this reason.
enum ObservationWindow {
    /// Why `time` is not read, or nil when it is inside `window`.
    static func outside(_ window: ClosedRange<CFDate>?, _ time: CFDate) -> String? {
        guard let window, !window.contains(time) else { return nil }
        return "outside the window \(window.lowerBound.isoDateTime) … \(window.upperBound.isoDateTime): time \(time.isoDateTime)"
    }
}
