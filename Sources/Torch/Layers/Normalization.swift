/// Layer normalisation over the trailing `normalizedShape` dimensions, with a learned
/// elementwise scale (`weight`, ones) and shift (`bias`, zeros).
public final class LayerNorm: Layer {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    public let normalizedShape: [Int]
    public let eps: Double

    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true) throws(TorchError) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? try Tensor.ones(normalizedShape) : nil
        bias = elementwiseAffine ? try Tensor.zeros(normalizedShape) : nil
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.layerNorm(normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}

/// Group normalisation of [batch, channels, …] in `groups` groups of channels, with a
/// per-channel affine transform.
public final class GroupNorm: Layer {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    public let groups: Int
    public let eps: Double

    public init(groups: Int, channels: Int, eps: Double = 1e-5, affine: Bool = true) throws(TorchError) {
        guard groups > 0, channels % groups == 0 else {
            throw TorchError(operation: "GroupNorm", message: "\(channels) channels are not divisible into \(groups) groups")
        }
        self.groups = groups
        self.eps = eps
        weight = affine ? try Tensor.ones([channels]) : nil
        bias = affine ? try Tensor.zeros([channels]) : nil
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps)
    }
}

/// Batch normalisation of [batch, channels, height, width]: batch statistics while
/// training (updating the running statistics with `momentum`), running statistics in
/// evaluation mode. Buffer names follow PyTorch (`running_mean`, `running_var`,
/// `num_batches_tracked`) so state dicts interchange.
public final class BatchNorm2d: Layer, TrainingModeDependent {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    @Buffer public var runningMean: Tensor
    @Buffer public var runningVar: Tensor
    @Buffer public var batchesTracked: Tensor
    public let eps: Double
    public let momentum: Double
    public var isTraining = true

    public init(_ channels: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true) throws(TorchError) {
        self.eps = eps
        self.momentum = momentum
        weight = affine ? try Tensor.ones([channels]) : nil
        bias = affine ? try Tensor.zeros([channels]) : nil
        _runningMean = Buffer(wrappedValue: try Tensor.zeros([channels]), name: "running_mean")
        _runningVar = Buffer(wrappedValue: try Tensor.ones([channels]), name: "running_var")
        _batchesTracked = Buffer(wrappedValue: try Tensor.zeros([], dtype: .int64), name: "num_batches_tracked")
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        if isTraining {
            try Torch.withoutGrad { () throws(TorchError) in try batchesTracked.addInPlace(Tensor(scalar: Int64(1))) }
        }
        return try input.batchNorm(runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                                   training: isTraining, momentum: momentum, eps: eps)
    }
}

/// Instance normalisation: each channel of each sample over its spatial dimensions.
public final class InstanceNorm2d: Layer {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    public let eps: Double

    public init(_ channels: Int, eps: Double = 1e-5, affine: Bool = false) throws(TorchError) {
        self.eps = eps
        weight = affine ? try Tensor.ones([channels]) : nil
        bias = affine ? try Tensor.zeros([channels]) : nil
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.instanceNorm(weight: weight, bias: bias, eps: eps)
    }
}
