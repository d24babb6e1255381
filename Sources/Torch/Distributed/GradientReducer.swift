import CTorch

/// Averages gradients over a `ProcessGroup` during the backward pass: c10d's `Reducer`, the
/// component of PyTorch's `DistributedDataParallel` that groups the parameters into buckets
/// (a first bucket of at most 1 MiB, then `bucketBytes` each, in reverse parameter order) and
/// all-reduces a bucket from the autograd hooks as soon as all its gradients are ready, while
/// the backward pass goes on.
///
/// Call `prepareForBackward()` before each `backward()`; when it returns, every parameter's
/// gradient is the mean over the ranks. Every parameter must receive a gradient in every step.
public final class GradientReducer {
    let handle: ct_reducer
    /// The group the gradients are averaged over (kept alive with the reducer).
    public let group: ProcessGroup

    /// Time spent in bucket all-reduces so far.
    public struct CommunicationTiming: Sendable, Equatable {
        /// Seconds of all-reduce before the last bucket was launched: hidden behind the backward pass.
        public var overlappedSeconds: Double
        /// Seconds of all-reduce after it: the backward pass waited for them.
        public var exposedSeconds: Double
        public var buckets: Int
        public var backwardPasses: Int

        /// The share of communication time overlapped with the backward pass (0 … 1).
        public var overlapShare: Double {
            let total = overlappedSeconds + exposedSeconds
            return total > 0 ? overlappedSeconds / total : 0
        }
    }

    /// - Parameters:
    ///   - parameters: the trainable parameters, in the same order on every rank.
    ///   - bucketBytes: bucket size (DDP's default 25 MiB).
    public init(parameters: [Tensor], group: ProcessGroup, bucketBytes: Int = 25 << 20) throws(TorchError) {
        let handles: [ct_tensor?] = parameters.map { $0.handle }
        var reducer: ct_reducer?
        let status = withExtendedLifetime(parameters) {
            handles.withUnsafeBufferPointer { ct_reducer_new(group.handle, $0.baseAddress, Int32(handles.count), Int64(bucketBytes), &reducer) }
        }
        guard status == 0, let reducer else { throw TorchError.last("GradientReducer(\(group.describe), \(parameters.count) parameters)") }
        handle = reducer
        self.group = group
    }

    deinit { ct_reducer_free(handle) }

    /// Arms the hooks for the next backward pass.
    public func prepareForBackward() throws(TorchError) {
        try check(ct_reducer_prepare(handle), "GradientReducer.prepareForBackward (\(group.describe))")
    }

    /// Totals over the backward passes so far.
    public func timing() throws(TorchError) -> CommunicationTiming {
        var overlapped = 0.0, exposed = 0.0
        var buckets: Int64 = 0, passes: Int64 = 0
        try check(ct_reducer_timing(handle, &overlapped, &exposed, &buckets, &passes), "GradientReducer.timing")
        return CommunicationTiming(overlappedSeconds: overlapped, exposedSeconds: exposed, buckets: Int(buckets), backwardPasses: Int(passes))
    }
}
