import CTorch

/// Padding modes of `Tensor.pad`.
public enum PaddingMode: Int32, Sendable {
    case constant = 0, reflect, replicate, circular
}

/// Resampling modes of `Tensor.interpolate`.
public enum InterpolationMode: Int32, Sendable {
    case nearest = 0, bilinear, bicubic
}

/// How losses combine elements.
public enum Reduction: Int32, Sendable {
    case none = 0, mean, sum
}

extension Tensor {
    // MARK: Convolution and pooling — input [batch, channels, height, width]

    /// 2-D convolution; weight [out, in/groups, kh, kw], bias [out].
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1, 1], padding: [Int] = [0, 0],
                       dilation: [Int] = [1, 1], groups: Int = 1) throws(TorchError) -> Tensor {
        try produce("conv2d(\(shape), weight: \(weight.shape))") {
            ct_conv2d(handle, weight.handle, bias?.handle, int64s(pair(stride)), int64s(pair(padding)),
                      int64s(pair(dilation)), Int64(groups), $0)
        }
    }

    /// Transposed 2-D convolution; weight [in, out/groups, kh, kw], bias [out].
    public func convTranspose2d(weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1, 1], padding: [Int] = [0, 0],
                                outputPadding: [Int] = [0, 0], groups: Int = 1,
                                dilation: [Int] = [1, 1]) throws(TorchError) -> Tensor {
        try produce("convTranspose2d(\(shape), weight: \(weight.shape))") {
            ct_conv_transpose2d(handle, weight.handle, bias?.handle, int64s(pair(stride)), int64s(pair(padding)),
                                int64s(pair(outputPadding)), Int64(groups), int64s(pair(dilation)), $0)
        }
    }

    /// 1-D convolution on [batch, channels, length]; weight [out, in/groups, k].
    public func conv1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                       groups: Int = 1) throws(TorchError) -> Tensor {
        try produce("conv1d(\(shape), weight: \(weight.shape))") {
            ct_conv1d(handle, weight.handle, bias?.handle, Int64(stride), Int64(padding), Int64(dilation), Int64(groups), $0)
        }
    }

    /// Max pooling; `stride` defaults to `kernel`.
    public func maxPool2d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0], dilation: [Int] = [1, 1],
                          ceilMode: Bool = false) throws(TorchError) -> Tensor {
        try produce("maxPool2d(\(shape))") {
            ct_max_pool2d(handle, int64s(pair(kernel)), int64s(pair(stride ?? kernel)), int64s(pair(padding)),
                          int64s(pair(dilation)), ceilMode ? 1 : 0, $0)
        }
    }

    /// Average pooling; `stride` defaults to `kernel`.
    public func avgPool2d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0], ceilMode: Bool = false,
                          countIncludePad: Bool = true) throws(TorchError) -> Tensor {
        try produce("avgPool2d(\(shape))") {
            ct_avg_pool2d(handle, int64s(pair(kernel)), int64s(pair(stride ?? kernel)), int64s(pair(padding)),
                          ceilMode ? 1 : 0, countIncludePad ? 1 : 0, $0)
        }
    }

    public func adaptiveAvgPool2d(_ size: [Int]) throws(TorchError) -> Tensor {
        try produce("adaptiveAvgPool2d(\(size))") { ct_adaptive_avg_pool2d(handle, int64s(pair(size)), $0) }
    }

    /// Resamples the last two dimensions to `size` [height, width].
    public func interpolate(size: [Int], mode: InterpolationMode = .nearest, alignCorners: Bool = false) throws(TorchError) -> Tensor {
        try produce("interpolate(\(shape) → \(size), \(mode))") {
            ct_interpolate2d(handle, int64s(pair(size)), mode.rawValue, alignCorners ? 1 : 0, $0)
        }
    }

    /// Pads trailing dimensions as `torch.nn.functional.pad`: `[left, right, top, bottom, …]`
    /// starting from the last dimension. `.circular` wraps around (longitude periodicity).
    public func pad(_ widths: [Int], mode: PaddingMode = .constant, value: Double = 0) throws(TorchError) -> Tensor {
        try produce("pad(\(shape), \(widths), \(mode))") {
            ct_pad(handle, int64s(widths), Int32(widths.count), mode.rawValue, value, $0)
        }
    }

    // MARK: Normalisation

    /// Normalises over the trailing `normalizedShape` dimensions.
    public func layerNorm(_ normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                          eps: Double = 1e-5) throws(TorchError) -> Tensor {
        try produce("layerNorm(\(shape), \(normalizedShape))") {
            ct_layer_norm(handle, int64s(normalizedShape), Int32(normalizedShape.count), weight?.handle, bias?.handle, eps, $0)
        }
    }

    /// Normalises channel groups of [batch, channels, …].
    public func groupNorm(groups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws(TorchError) -> Tensor {
        try produce("groupNorm(\(shape), groups: \(groups))") {
            ct_group_norm(handle, Int64(groups), weight?.handle, bias?.handle, eps, $0)
        }
    }

    /// Batch normalisation of [batch, channels, …]. When `training`, batch statistics are used
    /// and the running statistics (if given) are updated in place with `momentum`.
    public func batchNorm(runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil, bias: Tensor? = nil,
                          training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) throws(TorchError) -> Tensor {
        try produce("batchNorm(\(shape))") {
            ct_batch_norm(handle, weight?.handle, bias?.handle, runningMean?.handle, runningVar?.handle,
                          training ? 1 : 0, momentum, eps, $0)
        }
    }

    /// Normalises each channel of each sample over its spatial dimensions.
    public func instanceNorm(weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws(TorchError) -> Tensor {
        try produce("instanceNorm(\(shape))") { ct_instance_norm(handle, weight?.handle, bias?.handle, eps, $0) }
    }

    // MARK: Other layers' functions

    /// Zeroes elements with probability `p` and scales the rest by 1/(1−p) when `training`.
    public func dropout(p: Double, training: Bool, generator: Generator? = nil) throws(TorchError) -> Tensor {
        try produce("dropout(p: \(p))") { ct_dropout(handle, p, training ? 1 : 0, generator?.handle, $0) }
    }

    /// Rows of `self` (the embedding table [count, dim]) at `indices` (int64).
    public func embedding(_ indices: Tensor) throws(TorchError) -> Tensor {
        try produce("embedding(\(shape))") { ct_embedding(handle, indices.handle, $0) }
    }

    // MARK: Losses

    public func mseLoss(_ target: Tensor, reduction: Reduction = .mean) throws(TorchError) -> Tensor {
        try produce("mseLoss(\(shape), \(target.shape))") { ct_mse_loss(handle, target.handle, reduction.rawValue, $0) }
    }

    public func l1Loss(_ target: Tensor, reduction: Reduction = .mean) throws(TorchError) -> Tensor {
        try produce("l1Loss(\(shape), \(target.shape))") { ct_l1_loss(handle, target.handle, reduction.rawValue, $0) }
    }

    /// Cross entropy of logits [batch, classes] against class indices [batch] (int64).
    public func crossEntropy(_ target: Tensor, reduction: Reduction = .mean) throws(TorchError) -> Tensor {
        try produce("crossEntropy(\(shape), \(target.shape))") { ct_cross_entropy(handle, target.handle, reduction.rawValue, $0) }
    }
}

/// A 2-element parameter from one value (applied to both dimensions) or two.
@inline(__always) func pair(_ xs: [Int]) -> [Int] { xs.count == 1 ? [xs[0], xs[0]] : xs }
