import Torch

/// GraphCast-style encoder–processor–decoder on the icosahedral multimesh (Lam et al. 2023;
/// CarbonBench's MeshGNN, with mesh → grid edges from the triangle containing each grid point):
/// `[batch, inputChannels, lat, lon]` → `[batch, outputChannels, lat, lon]`.
///
/// 1. Embed: grid nodes (input channels + cos lat, sin lon, cos lon), mesh nodes (the same
///    static features) and the three edge sets (length and receiver-frame displacement) to
///    latents of width `hidden` with `GraphMLP`s (Linear – SiLU – Linear – LayerNorm).
/// 2. Encode: one interaction-network step grid → mesh (edge update from [edge, sender,
///    receiver], scatter-add onto receivers, summed or averaged by in-degree, node update,
///    residuals), then the grid latents updated by an MLP with residual.
/// 3. Process: `processorSteps` interaction-network steps on the multimesh, unshared weights.
/// 4. Decode: one step mesh → grid, then an MLP without LayerNorm to `outputChannels`.
///
/// The graphs are module buffers (`graph.*`, see `MeshGraphBuffers`), so checkpoints carry them.
public final class MeshGNN: EmulatorNetwork {
    /// The configuration it was built with.
    public let configuration: MeshGNNConfiguration
    public let inputChannels: Int
    public let outputChannels: Int
    /// The grid it maps, `[lat, lon]` = `grid.shape`.
    public let grid: EmulatorGrid
    /// The graphs and static features in Double (not part of the state dict; `graph.*` is).
    public let meshGraph: MeshGraph

    let graph: MeshGraphBuffers
    let embedding: GraphEmbedding
    let encoder: InteractionNetwork
    let processor: [InteractionNetwork]
    let decoder: InteractionNetwork
    let output: GraphMLP

    private let aggregation: GraphAggregation
    private let staticsCache = MeshGNNStaticsCache()
    /// Every parameter and buffer, whose `ValueStamp`s decide whether `staticsCache` is valid
    /// (the same `Tensor` objects for the module's life: `to` and `loadStateDict` convert and
    /// copy in place).
    private lazy var stateTensors: [Tensor] = stateDict().map(\.tensor)

    /// Builds the graphs for `grid` and the layers, initialised from `generator` (PyTorch's
    /// default initialisation; LayerNorm scale 1, shift 0).
    /// - Throws: `MeshGNNError` for non-positive sizes, an unknown aggregation or an unusable
    ///   grid; `GridError` for a mesh level outside 0…6; `TorchError` from libtorch.
    public init(configuration: MeshGNNConfiguration, inputChannels: Int, outputChannels: Int,
                grid: EmulatorGrid, generator: Generator? = nil) throws {
        guard configuration.hidden > 0 else {
            throw MeshGNNError.invalidConfiguration(key: "hidden", reason: "must be positive, got \(configuration.hidden)")
        }
        guard configuration.processorSteps >= 0 else {
            throw MeshGNNError.invalidConfiguration(key: "processor_steps", reason: "must be ≥ 0, got \(configuration.processorSteps)")
        }
        guard inputChannels > 0, outputChannels > 0 else {
            throw MeshGNNError.invalidConfiguration(key: "channels", reason: "input and output channels must be positive, got \(inputChannels) and \(outputChannels)")
        }
        let aggregation = try GraphAggregation(configuration: configuration.aggregation)
        let meshGraph = try MeshGraph(grid: grid, meshLevel: configuration.meshLevel)
        self.configuration = configuration
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.grid = grid
        self.meshGraph = meshGraph
        let hidden = configuration.hidden
        graph = try MeshGraphBuffers(meshGraph)
        embedding = try GraphEmbedding(inputChannels: inputChannels, hidden: hidden, generator: generator)
        encoder = try InteractionNetwork(hidden: hidden, updatesSenders: true, generator: generator)
        var processor: [InteractionNetwork] = []
        for _ in 0..<configuration.processorSteps {
            processor.append(try InteractionNetwork(hidden: hidden, generator: generator))
        }
        self.processor = processor
        decoder = try InteractionNetwork(hidden: hidden, generator: generator)
        output = try GraphMLP(hidden, hidden: hidden, outputChannels, layerNorm: false, generator: generator)
        self.aggregation = aggregation
    }

    /// `[batch, inputChannels, lat, lon]` → `[batch, outputChannels, lat, lon]`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let nlat = grid.latitudes.count, nlon = grid.longitudes.count
        let shape = input.shape
        guard shape.count == 4, shape[1] == inputChannels, shape[2] == nlat, shape[3] == nlon else {
            throw MeshGNNError.invalidInput(expected: "[batch, \(inputChannels), \(nlat), \(nlon)]", got: shape)
        }
        let batch = shape[0]
        let hidden = configuration.hidden
        let gridCount = nlat * nlon, meshCount = meshGraph.meshNodeCount

        // Embed the grid nodes [batch, grid, hidden]; the rest is static (`MeshGNNStatics`):
        // latents [nodes or edges, hidden] that broadcast over the batch.
        let fields = try input.reshape([batch, inputChannels, gridCount]).permute([0, 2, 1])
        let gridStatic = try graph.gridNodes.unsqueeze(dim: 0).expand([batch, gridCount, MeshGraph.nodeFeatureCount])
        var gridLatent = try embedding.grid(try Tensor.cat([fields, gridStatic], dim: -1))
        let statics = try Torch.isGradEnabled
            ? makeStatics()
            : staticsCache.statics(for: stateTensors, compute: makeStatics)
        var meshLatent = try statics.meshLatent.unsqueeze(dim: 0).expand([batch, meshCount, hidden])
        var meshEdges = statics.meshEdges

        // Encode grid → mesh (the grid latents get their own residual update).
        let encoded = try encoder(term: statics.encoderTerm, senders: gridLatent, receivers: meshLatent,
                                  senderIndex: graph.grid2meshSenders, receiving: statics.toMesh)
        gridLatent = encoded.senders
        meshLatent = encoded.receivers

        // Process on the multimesh (edges and nodes with residuals).
        for (i, step) in processor.enumerated() {
            let term = try (i == 0 ? statics.processorTerm : nil) ?? step.edgeTerm(edges: meshEdges)
            let processed = try step(term: term, senders: meshLatent, receivers: meshLatent,
                                     senderIndex: graph.multimeshSenders, receiving: statics.onMesh)
            meshEdges = try meshEdges + processed.messages
            meshLatent = processed.receivers
        }

        // Decode mesh → grid, then the output head.
        let decoded = try decoder(term: statics.decoderTerm, senders: meshLatent, receivers: gridLatent,
                                  senderIndex: graph.mesh2gridSenders, receiving: statics.toGrid)
        let out = try output(decoded.receivers)
        return try out.permute([0, 2, 1]).reshape([batch, outputChannels, nlat, nlon])
    }

    /// The input-independent part of a forward pass (see `MeshGNNStatics`).
    private func makeStatics() throws -> MeshGNNStatics {
        let meshCount = meshGraph.meshNodeCount, gridCount = grid.latitudes.count * grid.longitudes.count
        let meshLatent = try embedding.mesh(graph.meshNodes)
        let meshEdges = try embedding.multimesh(graph.multimeshFeatures)
        return MeshGNNStatics(
            toMesh: try EdgeReceivers(index: graph.grid2meshReceivers, nodeCount: meshCount, aggregation: aggregation),
            onMesh: try EdgeReceivers(index: graph.multimeshReceivers, nodeCount: meshCount, aggregation: aggregation),
            toGrid: try EdgeReceivers(index: graph.mesh2gridReceivers, nodeCount: gridCount, aggregation: aggregation),
            meshLatent: meshLatent,
            meshEdges: meshEdges,
            encoderTerm: try encoder.edgeTerm(edges: try embedding.grid2mesh(graph.grid2meshFeatures),
                                                    receivers: meshLatent, receiverIndex: graph.grid2meshReceivers),
            processorTerm: try processor.first?.edgeTerm(edges: meshEdges),
            decoderTerm: try decoder.edgeTerm(edges: try embedding.mesh2grid(graph.mesh2gridFeatures)))
    }
}
