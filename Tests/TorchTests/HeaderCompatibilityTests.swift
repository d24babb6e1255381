import Foundation
import Testing

/// CTorchBackend compiles (clang++ -fsyntax-only, Scripts/check-ctorch-headers.sh) against the
/// headers of PyTorch 2.5.1 and of a CUDA libtorch (2.5.1 with the CUDA 12.4 and NCCL headers,
/// PLUME_CUDA=1), besides Debian's libtorch 1.13 that `swift build` compiles it against; and
/// the libtorch calls specified for the CUDA work (Scripts/ctorch-api-probe.cpp) compile on all
/// three. The headers come from PyPI (cached in .cache/): without PyPI these tests fail, saying so.
@Suite("libtorch header compatibility")
struct HeaderCompatibilityTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let script = root + "/Scripts/check-ctorch-headers.sh"

    /// Runs the script; its exit status and its standard output and error together.
    static func check(_ arguments: [String], sources: [String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CHECK_CTORCH_SOURCES"] = sources?.joined(separator: " ")
        process.environment = environment
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("plume-headers-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// The files the script compiles by default: CTorchBackend's and the probe.
    static func expectedFiles() throws -> [String] {
        let backend = try FileManager.default.contentsOfDirectory(atPath: root + "/Sources/CTorchBackend")
            .filter { $0.hasSuffix(".cpp") }.sorted().map { "Sources/CTorchBackend/" + $0 }
        return backend + ["Scripts/ctorch-api-probe.cpp"]
    }

    /// Every file of `files` has its "ok" line, and no line says FAILED.
    static func expectAllCompiled(_ result: (status: Int32, output: String), files: [String], against label: String) {
        #expect(result.status == 0, "Scripts/check-ctorch-headers.sh exited \(result.status):\n\(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init)
        for file in files {
            #expect(lines.contains("ok      \(file) against \(label)"), "no ok line for \(file):\n\(result.output)")
        }
        #expect(!lines.contains { $0.hasPrefix("FAILED") }, "\(result.output)")
    }

    @Test("CTorchBackend compiles against PyTorch 2.5.1's headers")
    func pytorch251() throws {
        let files = try Self.expectedFiles()
        #expect(files.contains("Sources/CTorchBackend/core.cpp"))
        Self.expectAllCompiled(try Self.check(["2.5.1"]), files: files, against: "libtorch 2.5.1 headers")
    }

    @Test("CTorchBackend compiles against a CUDA libtorch's headers with PLUME_CUDA=1")
    func cuda() throws {
        let result = try Self.check(["--cuda", "2.5.1"])
        Self.expectAllCompiled(result, files: try Self.expectedFiles(), against: "libtorch 2.5.1 + CUDA 12.4 headers")
        #expect(result.output.contains("nvidia-nccl-cu12==2.21.5"), "\(result.output)")
        // The headers that CUDA code reaches are really there (not found elsewhere).
        let cache = Self.root + "/.cache/cuda-headers-2.5.1/nvidia"
        for header in ["cuda_runtime/include/cuda_runtime_api.h", "nccl/include/nccl.h", "cublas/include/cublas_v2.h",
                       "cusparse/include/cusparse.h", "cusolver/include/cusolverDn.h", "cuda_nvcc/include/crt/host_config.h",
                       "cuda_cccl/include/nv/target"] {
            #expect(FileManager.default.fileExists(atPath: cache + "/" + header), "\(header) missing from \(cache)")
        }
    }

    @Test("The specified libtorch calls compile against Debian's libtorch 1.13")
    func debian() throws {
        let result = try Self.check(["system"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("ok      Scripts/ctorch-api-probe.cpp against Debian's libtorch 1.13"), "\(result.output)")
    }

    /// A planted error in CUDA-only code fails the CUDA mode, with the compiler's message, and
    /// is not seen by the plain mode: PLUME_CUDA is defined in the one and not in the other.
    @Test("The CUDA mode compiles the code behind PLUME_CUDA, and reports its errors")
    func plantedCUDAError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plume-planted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let planted = folder.appendingPathComponent("planted.cpp").path
        try """
            #include <ATen/ATen.h>
            #if defined(PLUME_CUDA)
            #include <c10/cuda/CUDACachingAllocator.h>
            int planted() { return c10::cuda::CUDACachingAllocator::no_such_function(0); }
            #endif
            """.write(toFile: planted, atomically: true, encoding: .utf8)
        let cuda = try Self.check(["--cuda", "2.5.1"], sources: [planted])
        #expect(cuda.status == 1, "\(cuda.output)")
        #expect(cuda.output.contains("FAILED  \(planted)"), "\(cuda.output)")
        #expect(cuda.output.contains("no member named 'no_such_function'"), "\(cuda.output)")
        let plain = try Self.check(["2.5.1"], sources: [planted])
        #expect(plain.status == 0, "\(plain.output)")
        #expect(plain.output.contains("ok      \(planted) against libtorch 2.5.1 headers"), "\(plain.output)")
    }
}
