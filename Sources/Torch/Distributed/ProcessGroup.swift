import CTorch

#if canImport(Glibc)
import Glibc
#endif

/// A group of processes that run collectives through libtorch's distributed engine, c10d —
/// the engine PyTorch's `DistributedDataParallel` runs on: Gloo on the CPU, NCCL in builds
/// against a CUDA libtorch. The processes meet at a TCPStore served by rank 0 at
/// `masterAddress:masterPort` (torchrun's `MASTER_ADDR` / `MASTER_PORT`).
///
/// Every collective is in place, blocks until done and fails after `timeoutSeconds` — also
/// when another rank has died (Gloo reports the closed connection at once).
public final class ProcessGroup {
    /// The collective library.
    public enum Backend: Int32, Sendable, CustomStringConvertible {
        /// CPU tensors.
        case gloo = 0
        /// CUDA tensors (a CUDA build).
        case nccl = 1

        public var description: String { self == .gloo ? "gloo" : "nccl" }
    }

    /// How `allReduce` combines.
    public enum Reduction: Int32, Sendable {
        case sum = 0, max = 1, min = 2
    }

    let handle: ct_process_group
    /// This process's rank, 0 ..< worldSize.
    public let rank: Int
    public let worldSize: Int
    public let backend: Backend
    /// Seconds after which a collective (or the rendezvous) fails.
    public let timeoutSeconds: Double

    /// Whether this libtorch build has `backend`.
    public static func isAvailable(_ backend: Backend) -> Bool {
        var out: Int32 = 0
        return ct_dist_backend_available(backend.rawValue, &out) == 0 && out != 0
    }

    /// Joins the group; returns when all `worldSize` ranks have joined (or throws after the timeout).
    public init(masterAddress: String, masterPort: Int, rank: Int, worldSize: Int, backend: Backend = .gloo,
                timeoutSeconds: Double = 300) throws(TorchError) {
        var group: ct_process_group?
        let status = ct_process_group_new(masterAddress, Int32(clamping: masterPort), Int32(clamping: rank), Int32(clamping: worldSize),
                                          backend.rawValue, Int64(timeoutSeconds * 1000), &group)
        guard status == 0, let group else {
            throw TorchError.last("ProcessGroup(\(backend), rank \(rank) of \(worldSize), master \(masterAddress):\(masterPort))")
        }
        handle = group
        self.rank = rank
        self.worldSize = worldSize
        self.backend = backend
        self.timeoutSeconds = timeoutSeconds
    }

    /// Joins the group that `rank` names (its master, rank and world size).
    public convenience init(joining rank: RankEnvironment, backend: Backend = .gloo, timeoutSeconds: Double = 300) throws(TorchError) {
        try self.init(masterAddress: rank.masterAddress, masterPort: rank.masterPort, rank: rank.rank, worldSize: rank.worldSize,
                      backend: backend, timeoutSeconds: timeoutSeconds)
    }

    /// A TCP port of 127.0.0.1 that is free now (bound to 0, read back, released): for the
    /// rendezvous of ranks started on this machine.
    public static func freeLocalPort() throws(TorchError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TorchError(operation: "free port", message: "cannot open a socket (errno \(errno))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TorchError(operation: "free port", message: "cannot bind a socket on 127.0.0.1 (errno \(errno))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TorchError(operation: "free port", message: "getsockname failed (errno \(errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { ct_process_group_free(handle) }

    /// Copies each tensor of rank `root` into the same tensor of every other rank.
    public func broadcast(_ tensors: [Tensor], from root: Int = 0) throws(TorchError) {
        try collective("broadcast", tensors) { ct_process_group_broadcast(handle, $0, $1, Int32(root)) }
    }

    /// Replaces each tensor, on every rank, by its `reduction` over the ranks.
    public func allReduce(_ tensors: [Tensor], _ reduction: Reduction = .sum) throws(TorchError) {
        try collective("all-reduce", tensors) { ct_process_group_all_reduce(handle, $0, $1, reduction.rawValue) }
    }

    /// Returns when every rank has called it.
    public func barrier() throws(TorchError) {
        try check(ct_process_group_barrier(handle), "\(self.describe) barrier")
    }

    var describe: String { "rank \(rank) of \(worldSize) (\(backend))" }

    private func collective(_ name: String, _ tensors: [Tensor], _ body: (UnsafePointer<ct_tensor?>?, Int32) -> Int32) throws(TorchError) {
        let handles: [ct_tensor?] = tensors.map { $0.handle }
        let status = withExtendedLifetime(tensors) { handles.withUnsafeBufferPointer { body($0.baseAddress, Int32(handles.count)) } }
        try check(status, "\(describe) \(name)")
    }
}
