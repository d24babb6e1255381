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
// c10d: Gloo is in every Linux libtorch (Debian's and PyTorch's wheels); NCCL only in CUDA
// builds (PLUME_CUDA=1 with LIBTORCH pointing at a CUDA libtorch). Debian's libtorch-dev lacks
// the distributed-autograd headers that c10d's reducer.hpp includes: CTorchBackend/compat
// declares the two names it needs, searched after libtorch's own include folders.
torchCxxFlags += ["-DUSE_C10D_GLOO", "-idirafter", Context.packageDirectory + "/Sources/CTorchBackend/compat"]
var torchCudaLibraries: [LinkerSetting] = []
if environment["PLUME_CUDA"] == "1" {
    torchCxxFlags += ["-DPLUME_CUDA=1", "-DUSE_C10D_NCCL"]
    torchCudaLibraries = [.linkedLibrary("torch_cuda"), .linkedLibrary("c10_cuda")]
}

let package = Package(
    name: "Plume",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "plume", targets: ["plume"]),
        .library(name: "PlumeSupport", targets: ["PlumeSupport"]),
        .library(name: "PlumeIO", targets: ["PlumeIO"]),
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "PlumeGrids", targets: ["PlumeGrids"]),
        .library(name: "PlumeRegrid", targets: ["PlumeRegrid"]),
        .library(name: "PlumeSpectral", targets: ["PlumeSpectral"]),
        .library(name: "PlumePlot", targets: ["PlumePlot"]),
        .library(name: "PlumeVerify", targets: ["PlumeVerify"]),
        .library(name: "PlumeConservation", targets: ["PlumeConservation"]),
        .library(name: "PlumeIngest", targets: ["PlumeIngest"]),
        .library(name: "PlumePhysics", targets: ["PlumePhysics"]),
        .library(name: "PlumeCarbonBench", targets: ["PlumeCarbonBench"]),
        .library(name: "PlumeEmulators", targets: ["PlumeEmulators"]),
        .library(name: "PlumePipeline", targets: ["PlumePipeline"]),
        .library(name: "PlumeAssimilation", targets: ["PlumeAssimilation"]),
        // libtorch itself, behind the C ABI: opened with dlopen on the first tensor call, so
        // commands that use no tensors never pay libtorch's start-up (~0.4 s, ~170 MB).
        .library(name: "CTorchBackend", type: .dynamic, targets: ["CTorchBackend"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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

        // The few things every layer shares: the atomic file writer and the parallel loop.
        .target(name: "PlumeSupport"),

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
            ] + torchCudaLibraries),
        .target(
            name: "Torch",
            dependencies: ["CTorch", "PlumeSupport"]),

        // Grid geometry and the grid/level catalogue: no file-format libraries.
        .target(
            name: "PlumeGrids",
            dependencies: [.product(name: "Yams", package: "Yams")]),
        // Numeric kernels of PlumeIO compiled for several instruction sets and chosen by
        // the CPU at load time (`target_clones` in the C source; no flags needed).
        .target(
            name: "CPlumeKernels",
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // File readers and writers (netCDF, HDF5, GRIB) and grids recognised from file coordinates.
        .target(
            name: "PlumeIO",
            dependencies: ["CNetCDF", "CHDF5", "CEccodes", "CPlumeKernels", "PlumeSupport", "PlumeGrids"]),
        .target(
            name: "PlumeRegrid",
            dependencies: ["PlumeGrids", "PlumeIO", "PlumeSupport"]),
        .target(
            name: "PlumeSpectral",
            dependencies: ["Torch", "PlumeGrids"]),
        .target(
            name: "PlumePlot",
            dependencies: ["CPLplot", "PlumeSupport"]),
        // Metrics: error norms, field scores (RMSE, R², ACC, mass error), CarbonBench statistics.
        .target(name: "PlumeVerify"),
        // What every emulator applies at inference: mass fixer, surface-flux scheme, CO2 mass
        // bookkeeping and the physical constants. Torch only.
        .target(
            name: "PlumeConservation",
            dependencies: ["Torch"]),
        // Model inputs read from files onto the model grid: meteorology (winds, surface
        // pressure, hybrid levels) and surface fluxes.
        .target(
            name: "PlumeIngest",
            dependencies: ["PlumeIO", "PlumeGrids", "PlumeRegrid", "PlumeSupport"]),
        // The reference models: shallow-water weather and the tracer transport model.
        .target(
            name: "PlumePhysics",
            dependencies: ["PlumeSpectral", "PlumeGrids", "PlumeRegrid", "PlumeIO", "PlumeIngest",
                           "PlumeConservation", "PlumeVerify", "PlumeSupport", "Torch"]),
        // CarbonBench-mini: the training truth generated by the reference models.
        .target(
            name: "PlumeCarbonBench",
            dependencies: ["PlumePhysics", "PlumeIngest", "PlumeConservation", "PlumeVerify", "PlumeSpectral",
                           "PlumeGrids", "PlumeRegrid", "PlumeIO", "PlumeSupport", "Torch"]),
        // The neural emulators: model definitions, networks (U-Net, graph mesh, Swin),
        // pre/post-processing, training, rollout and their checkpoints.
        .target(
            name: "PlumeEmulators",
            dependencies: ["Torch", "PlumeConservation", "PlumeGrids", "PlumeIO", "PlumeVerify", "PlumeSpectral",
                           "PlumePhysics", "PlumeIngest", "PlumeCarbonBench",
                           "PlumeSupport", .product(name: "Yams", package: "Yams")]),
        // The staged pipeline: pipeline files and their validation, cycles and templates, the
        // run catalog (SQLite), the engine that plans, runs, skips and resumes stages, the
        // status table, the HTML report and the Slurm script.
        .target(
            name: "PlumePipeline",
            dependencies: ["PlumeIO", "PlumeGrids", "PlumeEmulators", "PlumeSupport",
                           .product(name: "Yams", package: "Yams"),
                           .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log")]),
        // Observations and their assimilation: observation tables read from BUFR, ObsPack
        // netCDF and CSV; the observation operator, quality control, OI and the LETKF.
        .target(
            name: "PlumeAssimilation",
            dependencies: ["PlumeIO", "PlumeGrids", "PlumeSupport"]),
        // `plume bench …`: side-by-side benchmarks against the C libraries, CDO and PyTorch.
        .target(
            name: "PlumeBench",
            dependencies: [
                "PlumeIO", "PlumeGrids", "PlumeRegrid", "PlumeVerify", "PlumePhysics", "PlumeConservation",
                "PlumeSupport", "PlumeEmulators", "PlumeCarbonBench", "PlumeAssimilation", "Torch", "CEccodes", "CNetCDF", "CPlumeKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "plume",
            dependencies: [
                "PlumeIO", "PlumeGrids", "PlumeRegrid", "PlumeIngest", "PlumePhysics", "PlumeCarbonBench",
                "PlumeConservation", "PlumeEmulators", "PlumeAssimilation", "PlumePlot", "PlumeBench", "PlumePipeline", "PlumeSupport", "Torch",
                "CPlumeKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Test helpers shared by test targets (the project's Python for PyTorch cross-checks,
        // small CarbonBench-mini data sets).
        .target(
            name: "PlumeTestSupport",
            dependencies: ["PlumeCarbonBench", "PlumePhysics", "PlumeGrids"],
            path: "Tests/PlumeTestSupport"),
        .testTarget(
            name: "PlumeSupportTests",
            dependencies: ["PlumeSupport"]),
        .testTarget(
            name: "PlumeIOTests",
            dependencies: ["PlumeIO", "PlumeGrids", "PlumeSupport", "PlumeTestSupport", "CHDF5", "CNetCDF", "CEccodes"]),
        .testTarget(
            name: "PlumeGridsTests",
            dependencies: ["PlumeGrids", "PlumeIO", "PlumeSupport"]),
        .testTarget(
            name: "PlumeRegridTests",
            dependencies: ["PlumeRegrid", "PlumeGrids", "PlumeIO", "PlumeVerify", "PlumeSupport"]),
        .testTarget(
            name: "PlumeSpectralTests",
            dependencies: ["PlumeSpectral", "Torch", "PlumeGrids"]),
        .testTarget(
            name: "PlumeVerifyTests",
            dependencies: ["PlumeVerify"]),
        .testTarget(
            name: "PlumePhysicsTests",
            dependencies: ["PlumePhysics", "PlumeCarbonBench", "PlumeIngest", "PlumeConservation", "PlumeVerify",
                           "PlumeSpectral", "PlumeGrids", "PlumeIO", "PlumePlot", "PlumeSupport", "Torch", "PlumeTestSupport"]),
        .testTarget(
            name: "PlumePlotTests",
            dependencies: ["PlumePlot"]),
        .testTarget(
            name: "TorchTests",
            dependencies: ["Torch", "PlumeTestSupport"]),
        .testTarget(
            name: "PlumeAssimilationTests",
            dependencies: ["PlumeAssimilation", "PlumeIO", "PlumeGrids", "PlumeSupport", "PlumeTestSupport"]),
        .testTarget(
            name: "PlumePipelineTests",
            dependencies: ["PlumePipeline", "PlumeIO", "PlumeEmulators", "PlumeSupport"]),
        .testTarget(
            name: "PlumeEmulatorsTests",
            dependencies: ["PlumeEmulators", "Torch", "PlumeConservation", "PlumeGrids", "PlumeIO", "PlumeVerify",
                           "PlumePhysics", "PlumeIngest", "PlumeCarbonBench", "PlumeSupport", "PlumeTestSupport"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
