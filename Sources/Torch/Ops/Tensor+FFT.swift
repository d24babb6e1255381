import CTorch

/// FFT normalisation, as in `torch.fft`: `.backward` scales the inverse by 1/n, `.forward`
/// the forward transform, `.ortho` both by 1/√n.
public enum FFTNorm: Int32, Sendable {
    case backward = 0, forward, ortho
}

extension Tensor {
    /// Real-to-complex FFT along `dim`: n real values → n/2 + 1 complex (n defaults to the size).
    public func rfft(n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward) throws(TorchError) -> Tensor {
        try produce("rfft(\(shape), dim: \(dim))") { ct_rfft(handle, Int64(n ?? -1), Int64(dim), norm.rawValue, $0) }
    }

    /// Inverse of `rfft`: complex → n real values (n defaults to 2·(size − 1)).
    public func irfft(n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward) throws(TorchError) -> Tensor {
        try produce("irfft(\(shape), dim: \(dim))") { ct_irfft(handle, Int64(n ?? -1), Int64(dim), norm.rawValue, $0) }
    }

    public func fft(n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward) throws(TorchError) -> Tensor {
        try produce("fft(\(shape), dim: \(dim))") { ct_fft(handle, Int64(n ?? -1), Int64(dim), norm.rawValue, $0) }
    }

    public func ifft(n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward) throws(TorchError) -> Tensor {
        try produce("ifft(\(shape), dim: \(dim))") { ct_ifft(handle, Int64(n ?? -1), Int64(dim), norm.rawValue, $0) }
    }
}
