import Torch

/// Builds the network a model definition names.
enum NetworkFactory {
    static func make(_ architecture: ModelDefinition.Architecture, inputChannels: Int, outputChannels: Int,
                     grid: EmulatorGrid, generator: Generator?) throws -> any EmulatorNetwork {
        // Replaced as the networks land.
        throw EmulatorError.invalidRequest("architecture '\(architecture.kind.rawValue)' is not built yet")
    }
}
