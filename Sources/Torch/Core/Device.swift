import CTorch

/// Where a tensor's storage lives.
public enum Device: Equatable, Hashable, Sendable, CustomStringConvertible {
    case cpu
    /// CUDA device by ordinal. Only usable with a CUDA build of libtorch (`LIBTORCH=`).
    case cuda(Int)

    var code: (type: Int32, index: Int32) {
        switch self {
        case .cpu: (0, 0)
        case .cuda(let i): (1, Int32(i))
        }
    }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let i): "cuda:\(i)"
        }
    }

    /// Number of CUDA devices libtorch can use (0 with a CPU-only libtorch).
    public static var cudaDeviceCount: Int {
        var n: Int32 = 0
        return ct_cuda_device_count(&n) == 0 ? Int(n) : 0
    }

    /// Whether `.cuda(0)` can be used.
    public static var isCUDAAvailable: Bool { cudaDeviceCount > 0 }
}
