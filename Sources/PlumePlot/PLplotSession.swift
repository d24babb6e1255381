import Foundation
import PlumeSupport
internal import CPLplot

/// The one door to PLplot. PLplot keeps global state and is not thread-safe, so every
/// figure is drawn while holding ``lock``, on a stream of its own (`plmkstrm` … `plend1`),
/// into a temporary file beside the output that is renamed onto it only when complete.
enum PLplotSession {
    /// Serialises every PLplot call in the process.
    static let lock = NSLock()

    /// Messages PLplot passed to its abort handler while the current figure was drawn.
    /// Only read or written while ``lock`` is held (the handler runs inside PLplot calls).
    nonisolated(unsafe) static var abortMessages: [String] = []

    /// Draws one PNG figure of `size` into `url` atomically.
    ///
    /// `draw` runs with a fresh PLplot stream initialised for the "pngcairo" device, a
    /// white background and ``PlotPalette`` colours in cmap0; it may throw ``PlotError``.
    /// On any failure nothing is left at `url` or at the temporary name.
    static func render(
        to url: URL, size: PlotSize, palette: PlotPalette,
        _ draw: () throws(PlotError) -> Void
    ) throws(PlotError) {
        let path = url.path
        guard PlotSize.allowedSides.contains(size.width),
            PlotSize.allowedSides.contains(size.height)
        else {
            throw .invalidInput(
                path: path,
                reason: "size \(size.width)×\(size.height) px is outside \(PlotSize.allowedSides)")
        }
        // The project's atomic writer reserves the temporary file: PLplot's own fopen failure
        // prompts on stdin or exits the process, so it must only ever open a file known to be writable.
        let pending: PendingFile
        do throws(AtomicWriteError) {
            pending = try PendingFile(destination: path)
        } catch {
            throw .cannotWrite(path: path, reason: error.reason)
        }
        defer { pending.discard() }  // does nothing once committed
        let temporary = pending.temporaryPath

        do {
            lock.lock()
            defer { lock.unlock() }
            try drawLocked(path: path, temporary: temporary, size: size, palette: palette, draw)
        }

        try checkPNG(at: temporary, path: path)
        do throws(AtomicWriteError) {
            try pending.commit()
        } catch {
            throw .cannotWrite(path: path, reason: error.reason)
        }
    }

    /// The body of ``render(to:size:palette:_:)`` while the lock is held.
    private static func drawLocked(
        path: String, temporary: String, size: PlotSize, palette: PlotPalette,
        _ draw: () throws(PlotError) -> Void
    ) throws(PlotError) {
        abortMessages = []
        plsabort { message in
            PLplotSession.abortMessages.append(message.map { String(cString: $0) } ?? "unknown error")
        }
        var stream: PLINT = 0
        c_plmkstrm(&stream)
        guard stream >= 0 else {
            throw .renderingFailed(path: path, message: "PLplot has no free stream")
        }
        c_plsdev("pngcairo")
        c_plsfnam(temporary)
        c_plspage(0, 0, PLINT(size.width), PLINT(size.height), 0, 0)
        palette.apply()
        c_plinit()
        var drawError: PlotError?
        do {
            try draw()
        } catch {
            drawError = error
        }
        c_plend1()  // writes the PNG, frees the stream and selects stream 0 again
        plsabort(nil)
        if let drawError { throw drawError }
        if let message = abortMessages.first {
            throw .renderingFailed(path: path, message: message)
        }
    }

    /// Checks that `temporary` holds a PNG (signature and IHDR), for the error of `path`.
    private static func checkPNG(at temporary: String, path: String) throws(PlotError) {
        guard let handle = FileHandle(forReadingAtPath: temporary) else {
            throw .renderingFailed(path: path, message: "PLplot wrote no file")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 24)) ?? Data()
        guard head.count == 24, head.prefix(8) == PNGHeader.signature else {
            throw .renderingFailed(path: path, message: "PLplot's cairo driver wrote no PNG")
        }
    }
}

/// cmap0 for a figure: index 0 is the background, 1 the foreground (axes, text),
/// 2 the grid, 3… the series colours.
struct PlotPalette {
    /// Colours from index 3 on.
    var seriesColors: [PlotColor] = []

    /// Index in cmap0 of the background (white).
    static let background: PLINT = 0
    /// Index in cmap0 of axes and text (black).
    static let foreground: PLINT = 1
    /// Index in cmap0 of grid lines (light grey).
    static let grid: PLINT = 2

    /// Index in cmap0 of series colour `i`.
    static func index(ofSeries i: Int) -> PLINT { PLINT(3 + i) }

    /// Sets cmap0 on the current stream (before `plinit`).
    func apply() {
        let all = [PlotColor.white, PlotColor.black, PlotColor(hex: 0xd9d9d9)] + seriesColors
        let red = all.map { PLINT($0.red) }
        let green = all.map { PLINT($0.green) }
        let blue = all.map { PLINT($0.blue) }
        c_plscmap0n(PLINT(all.count))
        c_plscmap0(red, green, blue, PLINT(all.count))
    }
}

/// The start of a PNG file, as PLplot's cairo driver writes it.
enum PNGHeader {
    /// The 8-byte PNG signature.
    static let signature = Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
}

/// Calls `body` with a C array of C strings (`const char * const *`) for `strings`,
/// valid only during the call.
func withCStringArray<R>(
    _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws(PlotError) -> R
) throws(PlotError) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return try pointers.withUnsafeBufferPointer { (buffer) throws(PlotError) -> R in
        try body(buffer.baseAddress)
    }
}
