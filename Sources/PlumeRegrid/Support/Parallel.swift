import Dispatch

/// A pointer that parallel loops write through at disjoint indices.
struct SharedMutablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// A pointer that parallel loops read through.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
}

/// Runs `body(i)` for i in 0..<count on all cores; serially when `count` is 1.
@inline(__always)
func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
    if count == 1 { body(0); return }
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
}
