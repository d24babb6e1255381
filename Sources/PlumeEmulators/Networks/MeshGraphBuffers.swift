import Torch

/// The graphs of a `MeshGNN` as module buffers, so that a checkpoint carries them (and the
/// PyTorch twin reads them from the state dict instead of rebuilding the mesh).
///
/// Names and shapes (E the edges of a set, G grid nodes, M mesh nodes):
/// `grid_nodes` [G, 3] and `mesh_nodes` [M, 3] float32 node features;
/// `{grid2mesh,multimesh,mesh2grid}_senders` / `_receivers` [E] int64;
/// `{grid2mesh,multimesh,mesh2grid}_features` [E, 4] float32.
final class MeshGraphBuffers: Module {
    @Buffer var gridNodes: Tensor
    @Buffer var meshNodes: Tensor
    @Buffer var grid2meshSenders: Tensor
    @Buffer var grid2meshReceivers: Tensor
    @Buffer var grid2meshFeatures: Tensor
    @Buffer var multimeshSenders: Tensor
    @Buffer var multimeshReceivers: Tensor
    @Buffer var multimeshFeatures: Tensor
    @Buffer var mesh2gridSenders: Tensor
    @Buffer var mesh2gridReceivers: Tensor
    @Buffer var mesh2gridFeatures: Tensor

    init(_ graph: MeshGraph) throws(TorchError) {
        let n = MeshGraph.nodeFeatureCount
        _gridNodes = Buffer(wrappedValue: try Self.floats(graph.gridNodeFeatures, [graph.gridNodeCount, n]), name: "grid_nodes")
        _meshNodes = Buffer(wrappedValue: try Self.floats(graph.meshNodeFeatures, [graph.meshNodeCount, n]), name: "mesh_nodes")
        _grid2meshSenders = Buffer(wrappedValue: try Self.indices(graph.grid2mesh.senders), name: "grid2mesh_senders")
        _grid2meshReceivers = Buffer(wrappedValue: try Self.indices(graph.grid2mesh.receivers), name: "grid2mesh_receivers")
        _grid2meshFeatures = Buffer(wrappedValue: try Self.features(graph.grid2mesh), name: "grid2mesh_features")
        _multimeshSenders = Buffer(wrappedValue: try Self.indices(graph.multimesh.senders), name: "multimesh_senders")
        _multimeshReceivers = Buffer(wrappedValue: try Self.indices(graph.multimesh.receivers), name: "multimesh_receivers")
        _multimeshFeatures = Buffer(wrappedValue: try Self.features(graph.multimesh), name: "multimesh_features")
        _mesh2gridSenders = Buffer(wrappedValue: try Self.indices(graph.mesh2grid.senders), name: "mesh2grid_senders")
        _mesh2gridReceivers = Buffer(wrappedValue: try Self.indices(graph.mesh2grid.receivers), name: "mesh2grid_receivers")
        _mesh2gridFeatures = Buffer(wrappedValue: try Self.features(graph.mesh2grid), name: "mesh2grid_features")
    }

    private static func floats(_ values: [Double], _ shape: [Int]) throws(TorchError) -> Tensor {
        try Tensor(values.map { Float($0) }, shape: shape)
    }

    private static func indices(_ values: [Int32]) throws(TorchError) -> Tensor {
        try Tensor(values.map { Int64($0) }, shape: [values.count])
    }

    private static func features(_ edges: MeshGraph.EdgeSet) throws(TorchError) -> Tensor {
        try floats(edges.features, [edges.count, MeshGraph.edgeFeatureCount])
    }
}
