// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Plume",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "plume", targets: ["plume"]),
        .library(name: "PlumeIO", targets: ["PlumeIO"]),
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

        .target(
            name: "PlumeIO",
            dependencies: ["CNetCDF", "CHDF5", "CEccodes"]),
        .executableTarget(
            name: "plume",
            dependencies: [
                "PlumeIO", "CEccodes", "CNetCDF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "PlumeIOTests",
            dependencies: ["PlumeIO", "CHDF5", "CNetCDF"]),
    ],
    swiftLanguageModes: [.v6]
)
