import Foundation
// The sample files, temporary folders and the shell runner shared by the test targets.
@_exported import PlumeTestSupport

/// Equal to float32 rounding: relative difference within one float32 epsilon.
func equalToFloat32(_ a: Double, _ b: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    return abs(a - b) <= Double(Float.ulpOfOne) * max(abs(a), abs(b))
}
