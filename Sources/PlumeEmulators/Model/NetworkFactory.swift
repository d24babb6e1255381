import Torch

/// Builds the network a model definition names.
enum NetworkFactory {
    static func make(_ architecture: ModelDefinition.Architecture, inputChannels: Int, outputChannels: Int,
                     grid: EmulatorGrid, generator: Generator?) throws -> any EmulatorNetwork {
        switch architecture {
        case .unet(let configuration):
            return try UNet(configuration: configuration, inputChannels: inputChannels, outputChannels: outputChannels,
                            grid: grid, generator: generator)
        case .meshGNN(let configuration):
            return try MeshGNN(configuration: configuration, inputChannels: inputChannels, outputChannels: outputChannels,
                               grid: grid, generator: generator)
        case .swin(let configuration):
            return try Swin(configuration: configuration, inputChannels: inputChannels, outputChannels: outputChannels,
                            grid: grid, generator: generator)
        }
    }
}
