import Dispatch

/// Runs `body(i)` for every i in 0..<count: on all cores when there is enough work to pay
/// for the dispatch (`work`, in the caller's unit of work — cell updates, values — at least
/// `minimumWork`), serially otherwise. `body` must only write to disjoint memory per index.
///
/// The single parallel loop of Plume; shared buffers cross into it as `SharedPointer` /
/// `SharedMutablePointer`.
@inline(__always)
public func parallelFor(_ count: Int, minimumWork: Int = 0, work: Int = .max, _ body: @Sendable (Int) -> Void) {
    if count <= 1 || work < minimumWork {
        for i in 0..<count { body(i) }
    } else {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}

/// A pointer that parallel loops write through at disjoint indices.
public struct SharedMutablePointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(base: UnsafeMutablePointer<T>) { self.base = base }
}

/// A pointer that parallel loops read through.
public struct SharedPointer<T>: @unchecked Sendable {
    public let base: UnsafePointer<T>
    public init(base: UnsafePointer<T>) { self.base = base }
}
