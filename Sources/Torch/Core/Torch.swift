import CTorch

/// Library-wide settings of libtorch: version, intra-op threads, the default random seed
/// and gradient mode.
public enum Torch {
    /// libtorch's version, e.g. "1.13.1".
    public static var version: String {
        var buffer = [CChar](repeating: 0, count: 64)
        guard ct_version(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Intra-op thread count of libtorch's CPU kernels.
    public static var threadCount: Int {
        get {
            var n: Int32 = 0
            return ct_get_num_threads(&n) == 0 ? Int(n) : 1
        }
    }

    public static func setThreadCount(_ n: Int) throws(TorchError) {
        try check(ct_set_num_threads(Int32(n)), "setThreadCount(\(n))")
    }

    /// Seeds libtorch's default generator (used when no `Generator` is passed).
    public static func manualSeed(_ seed: UInt64) throws(TorchError) {
        try check(ct_manual_seed(seed), "manualSeed")
    }

    /// Whether operations record autograd history on this thread.
    public static var isGradEnabled: Bool {
        var on: Int32 = 0
        return ct_is_grad_enabled(&on) == 0 && on != 0
    }

    /// Runs `body` with gradient recording off on this thread (like `torch.no_grad()`),
    /// restoring the previous mode afterwards, also when `body` throws.
    public static func withoutGrad<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        var previous: Int32 = 1
        _ = ct_set_grad_enabled(0, &previous)
        defer { _ = ct_set_grad_enabled(previous, nil) }
        return try body()
    }

    /// Runs `body` under autocast for `device` on this thread (like `torch.autocast(device,
    /// dtype)`): matrix products and convolutions run in `dtype` (bfloat16 by default), the
    /// ops autocast keeps in float32 (norms, softmax, losses) stay there; outputs may be in
    /// `dtype`. Restores the previous state afterwards, also when `body` throws.
    public static func withAutocast<R>(on device: Device, dtype: DType = .bfloat16, _ body: () throws -> R) throws -> R {
        let type: Int32 = device == .cpu ? 0 : 1
        var previous: Int32 = 0
        try check(ct_set_autocast(type, 1, dtype.rawValue, &previous), "autocast(\(device), \(dtype))")
        defer { _ = ct_set_autocast(type, previous, dtype.rawValue, nil) }
        return try body()
    }

    /// Runs `body` with gradient recording on (inside a `withoutGrad` scope, for instance).
    public static func withGrad<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        var previous: Int32 = 1
        _ = ct_set_grad_enabled(1, &previous)
        defer { _ = ct_set_grad_enabled(previous, nil) }
        return try body()
    }
}
