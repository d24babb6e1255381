import Dispatch

/// A pointer that parallel transport loops write through at disjoint indices.
struct TransportMutablePointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
}

/// A pointer that parallel transport loops read through.
struct TransportPointer: @unchecked Sendable {
    let base: UnsafePointer<Double>
}

/// Per-task failure flags written from parallel loops (one byte per task index).
struct TransportFlags: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
}

/// Runs `body(i)` for i in 0..<count, on all cores when there is enough work
/// (`work` ≈ number of cell updates in all), serially otherwise.
@inline(__always)
func transportParallelFor(_ count: Int, work: Int, _ body: @Sendable (Int) -> Void) {
    if count <= 1 || work < 8_192 {
        for i in 0..<count { body(i) }
    } else {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}
