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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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

        // C ABI over libtorch (C++): no exception crosses it. Swift sees only include/ctorch.h.
        .target(
            name: "CTorch",
            cxxSettings: [.unsafeFlags(["-Wno-deprecated-declarations"] + torchCxxFlags)],
            linkerSettings: [
                .linkedLibrary("torch"), .linkedLibrary("torch_cpu"), .linkedLibrary("c10"),
                .unsafeFlags(torchLinkerFlags),
            ]),
        .target(
            name: "Torch",
            dependencies: ["CTorch"]),

        .target(
            name: "PlumeIO",
            dependencies: ["CNetCDF", "CHDF5", "CEccodes"]),
        .executableTarget(
            name: "plume",
            dependencies: [
                "PlumeIO", "Torch", "CEccodes", "CNetCDF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "PlumeIOTests",
            dependencies: ["PlumeIO", "CHDF5", "CNetCDF"]),
        .testTarget(
            name: "TorchTests",
            dependencies: ["Torch"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
