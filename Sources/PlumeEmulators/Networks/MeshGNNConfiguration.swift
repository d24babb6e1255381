/// Size and shape of a `MeshGNN` (GraphCast-style encoder–processor–decoder on the
/// icosahedral multimesh; CarbonBench's ladder (hidden, processor steps): (128, 4), (128, 8),
/// (256, 8) …).
///
/// Every key is optional in a model file; a missing key keeps the default shown.
public struct MeshGNNConfiguration: Codable, Sendable, Equatable {
    /// Width of every node and edge latent. Default 128.
    public var hidden: Int = 128
    /// Message-passing steps of the processor on the multimesh. Default 4.
    public var processorSteps: Int = 4
    /// Finest multimesh level (M0 … this one are merged); keep the finest mesh no finer
    /// than the grid: 3 at 5.625°, 4 at 2.8125°. Default 3.
    public var meshLevel: Int = 3
    /// How messages arriving at a node are combined: `"sum"` or `"mean"`. Default `"mean"`.
    public var aggregation: String = "mean"

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hidden
        case processorSteps = "processor_steps"
        case meshLevel = "mesh_level"
        case aggregation
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = MeshGNNConfiguration()
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? d.hidden
        processorSteps = try c.decodeIfPresent(Int.self, forKey: .processorSteps) ?? d.processorSteps
        meshLevel = try c.decodeIfPresent(Int.self, forKey: .meshLevel) ?? d.meshLevel
        aggregation = try c.decodeIfPresent(String.self, forKey: .aggregation) ?? d.aggregation
    }
}
