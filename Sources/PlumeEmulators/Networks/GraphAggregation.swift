import Torch

/// How a `MeshGNN` combines the messages arriving at a node.
enum GraphAggregation: String, Sendable {
    /// Sum over incoming edges.
    case sum
    /// Sum divided by the in-degree (nodes without incoming edges get 0).
    case mean

    /// Parses the configuration's `aggregation`.
    init(configuration value: String) throws(MeshGNNError) {
        guard let parsed = GraphAggregation(rawValue: value) else {
            throw .invalidConfiguration(key: "aggregation", reason: "must be \"sum\" or \"mean\", got \"\(value)\"")
        }
        self = parsed
    }
}

/// The receiving side of one edge set, for aggregating `[batch, edges, features]` messages
/// onto `[batch, nodes, features]`. Built from the graph buffers at each forward pass, so it
/// follows them to whatever device they are on.
struct EdgeReceivers {
    /// [edges] int64.
    let index: Tensor
    let nodeCount: Int
    /// [nodes, 1] float32: 1 / max(in-degree, 1), only for `.mean`.
    let inverseDegree: Tensor?

    init(index: Tensor, nodeCount: Int, aggregation: GraphAggregation) throws(TorchError) {
        self.index = index
        self.nodeCount = nodeCount
        switch aggregation {
        case .sum:
            inverseDegree = nil
        case .mean:
            let ones = try Tensor.ones([index.shape[0]], device: index.device)
            let degree = try Tensor.zeros([nodeCount], device: index.device).indexAdd(dim: 0, index: index, source: ones)
            inverseDegree = try (1.0 / degree.clamp(min: 1)).unsqueeze(dim: -1)
        }
    }

    /// Scatter-add of `messages` [batch, edges, features] onto [batch, nodes, features],
    /// divided by the in-degree for `.mean`.
    func aggregate(_ messages: Tensor) throws(TorchError) -> Tensor {
        let shape = messages.shape
        let zeros = try Tensor.zeros([shape[0], nodeCount, shape[2]], dtype: messages.dtype, device: messages.device)
        let summed = try zeros.indexAdd(dim: 1, index: index, source: messages)
        guard let inverseDegree else { return summed }
        return try summed * inverseDegree
    }
}
