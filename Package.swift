// swift-tools-version:6.0
import PackageDescription

// libtorch: Debian's libtorch-dev (headers in /usr/include, libraries on the default path)
// unless LIBTORCH points at another libtorch folder (include/ and lib/ inside), such as a
// pytorch.org CUDA build or the torch/ folder of a PyTorch wheel. Wheels before 2.7 use the
// old C++ ABI: set LIBTORCH_CXX11_ABI=0 for those.
let environment = Context.environment
var torchCxxFlags: [String] = []
var torchLinkerFlags: [String] = []
if let root = environment["LIBTORCH"], !root.isEmpty {
    torchCxxFlags += ["-I\(root)/include", "-I\(root)/include/torch/csrc/api/include"]
    torchLinkerFlags += ["-L\(root)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(root)/lib"]
}
if let abi = environment["LIBTORCH_CXX11_ABI"], !abi.isEmpty {
    torchCxxFlags += ["-D_GLIBCXX_USE_CXX11_ABI=\(abi)"]
}

let package = Package(
    name: "Plume",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "plume", targets: ["plume"]),
        .library(name: "PlumeIO", targets: ["PlumeIO"]),
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "PlumeGrids", targets: ["PlumeGrids"]),
        .library(name: "PlumeRegrid", targets: ["PlumeRegrid"]),
        .library(name: "PlumeSpectral", targets: ["PlumeSpectral"]),
        .library(name: "PlumePlot", targets: ["PlumePlot"]),
        .library(name: "PlumePhysics", targets: ["PlumePhysics"]),
        // libtorch itself, behind the C ABI: opened with dlopen on the first tensor call, so
        // commands that use no tensors never pay libtorch's start-up (~0.4 s, ~170 MB).
        .library(name: "CTorchBackend", type: .dynamic, targets: ["CTorchBackend"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries, found through pkg-config. Each header also carries small
        // `static inline` shims for what Swift cannot import (macros, varargs).
        .systemLibrary(
            name: "CNetCDF", pkgConfig: "netcdf",
            providers: [.apt(["libnetcdf-dev"])]),
        .systemLibrary(
            name: "CHDF5", pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(
            name: "CEccodes", pkgConfig: "eccodes",
            providers: [.apt(["libeccodes-dev"])]),
        .systemLibrary(
            name: "CPLplot", pkgConfig: "plplot",
            providers: [.apt(["libplplot-dev", "plplot-driver-cairo"])]),

        // The C ABI over libtorch (include/ctorch.h). CTorch holds only generated stubs that
        // load CTorchBackend (the C++ implementation, linked to libtorch) on first use; no C++
        // exception crosses the ABI. CTorchBackend/include is a link to CTorch/include.
        .target(
            name: "CTorch",
            linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "CTorchBackend",
            cxxSettings: [.unsafeFlags(["-Wno-deprecated-declarations"] + torchCxxFlags)],
            linkerSettings: [
                .linkedLibrary("torch"), .linkedLibrary("torch_cpu"), .linkedLibrary("c10"),
                .unsafeFlags(torchLinkerFlags),
            ]),
        .target(
            name: "Torch",
            dependencies: ["CTorch"]),

        // Numeric kernels of PlumeIO compiled for several instruction sets and chosen by
        // the CPU at load time (`target_clones` in the C source; no flags needed).
        .target(
            name: "CPlumeKernels",
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(
            name: "PlumeIO",
            dependencies: ["CNetCDF", "CHDF5", "CEccodes", "CPlumeKernels"]),
        .target(
            name: "PlumeGrids",
            dependencies: ["PlumeIO", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "PlumeRegrid",
            dependencies: ["PlumeGrids", "PlumeIO"]),
        .target(
            name: "PlumeSpectral",
            dependencies: ["Torch", "PlumeGrids"]),
        .target(
            name: "PlumePlot",
            dependencies: ["CPLplot"]),
        .target(
            name: "PlumePhysics",
            dependencies: ["PlumeSpectral", "PlumeGrids", "PlumeRegrid", "PlumeIO", "Torch"]),
        .executableTarget(
            name: "plume",
            dependencies: [
                "PlumeIO", "PlumeGrids", "PlumeRegrid", "PlumePhysics", "PlumePlot", "Torch", "CEccodes", "CNetCDF", "CPlumeKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "PlumeIOTests",
            dependencies: ["PlumeIO", "CHDF5", "CNetCDF", "CEccodes"]),
        .testTarget(
            name: "PlumeGridsTests",
            dependencies: ["PlumeGrids"]),
        .testTarget(
            name: "PlumeRegridTests",
            dependencies: ["PlumeRegrid", "PlumeGrids", "PlumeIO"]),
        .testTarget(
            name: "PlumeSpectralTests",
            dependencies: ["PlumeSpectral", "Torch", "PlumeGrids"]),
        .testTarget(
            name: "PlumePhysicsTests",
            dependencies: ["PlumePhysics", "PlumeSpectral", "PlumeGrids", "PlumeIO", "PlumePlot", "Torch"]),
        .testTarget(
            name: "PlumePlotTests",
            dependencies: ["PlumePlot"]),
        .testTarget(
            name: "TorchTests",
            dependencies: ["Torch"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
