import Torch

/// The embedders of a `MeshGNN`: one `GraphMLP` per node and edge set, from static (and for
/// grid nodes input) features to latents of width `hidden`. Parameters `grid.*`, `mesh.*`,
/// `grid2mesh.*`, `multimesh.*`, `mesh2grid.*`.
final class GraphEmbedding: Module {
    /// [..., inputChannels + 3] → [..., hidden].
    let grid: GraphMLP
    /// [..., 3] → [..., hidden].
    let mesh: GraphMLP
    /// Edge features [..., 4] → [..., hidden] for each edge set.
    let grid2mesh: GraphMLP
    let multimesh: GraphMLP
    let mesh2grid: GraphMLP

    init(inputChannels: Int, hidden: Int, generator: Generator?) throws(TorchError) {
        let nodeFeatures = MeshGraph.nodeFeatureCount, edgeFeatures = MeshGraph.edgeFeatureCount
        grid = try GraphMLP(inputChannels + nodeFeatures, hidden: hidden, hidden, generator: generator)
        mesh = try GraphMLP(nodeFeatures, hidden: hidden, hidden, generator: generator)
        grid2mesh = try GraphMLP(edgeFeatures, hidden: hidden, hidden, generator: generator)
        multimesh = try GraphMLP(edgeFeatures, hidden: hidden, hidden, generator: generator)
        mesh2grid = try GraphMLP(edgeFeatures, hidden: hidden, hidden, generator: generator)
    }
}
