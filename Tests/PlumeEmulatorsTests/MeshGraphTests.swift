import Foundation
import PlumeGrids
import Testing
@testable import PlumeEmulators

/// The graphs of `MeshGNN` at CarbonBench's LowRes (5.625°, 32 × 64) with mesh level 3.
@Suite struct MeshGraphTests {
    static let grid = EmulatorGrid.regular(rows: 32, columns: 64)
    static let graph: Result<MeshGraph, any Error> = Result { try MeshGraph(grid: grid, meshLevel: 3) }

    @Test func sizesMatchGraphCast() throws {
        let graph = try Self.graph.get()
        #expect(graph.meshNodeCount == 642)
        #expect(graph.multimesh.count == 5100)
        #expect(graph.gridNodeCount == 2048)
        #expect(graph.mesh2grid.count == 3 * 2048)
        #expect(graph.gridNodeFeatures.count == 3 * 2048)
        #expect(graph.meshNodeFeatures.count == 3 * 642)
        // Grid node 1 is (lat −87.1875, lon 5.625): cos lat, sin lon, cos lon.
        let phi = -87.1875 * Double.pi / 180, lambda = 5.625 * Double.pi / 180
        #expect(abs(graph.gridNodeFeatures[3] - cos(phi)) < 1e-15)
        #expect(abs(graph.gridNodeFeatures[4] - sin(lambda)) < 1e-15)
        #expect(abs(graph.gridNodeFeatures[5] - cos(lambda)) < 1e-15)
        // Multimesh: no self-loops, no duplicates, every edge in both directions.
        let pairs = Set(zip(graph.multimesh.senders, graph.multimesh.receivers).map { SIMD2($0, $1) })
        #expect(pairs.count == 5100)
        #expect(pairs.allSatisfy { $0.x != $0.y && pairs.contains(SIMD2($0.y, $0.x)) })
    }

    /// Every grid point receives from the 3 nodes of a finest-level face that contains it:
    /// the triple products p·(b×c), p·(c×a), p·(a×b) (unnormalised barycentric weights of a
    /// counter-clockwise face) are all ≥ 0, so the normalised weights lie in [0, 1].
    @Test func mesh2gridUsesTheContainingTriangle() throws {
        let graph = try Self.graph.get()
        let mesh = graph.mesh
        let faces = Set(mesh.faces.map { f -> [Int32] in [f.x, f.y, f.z].sorted() })
        var incoming = [[Int32]](repeating: [], count: graph.gridNodeCount)
        for (s, r) in zip(graph.mesh2grid.senders, graph.mesh2grid.receivers) { incoming[Int(r)].append(s) }
        var worst = Double.infinity
        for (i, senders) in incoming.enumerated() {
            #expect(senders.count == 3, "grid point \(i) has \(senders.count) mesh→grid edges")
            guard senders.count == 3 else { continue }
            #expect(faces.contains(senders.sorted()), "grid point \(i): senders \(senders) are not a face")
            let lat = Self.grid.latitudes[i / 64], lon = Self.grid.longitudes[i % 64]
            let p = GeoPoint(latitude: lat, longitude: lon).unitVector
            var a = mesh.nodes[Int(senders[0])], b = mesh.nodes[Int(senders[1])], c = mesh.nodes[Int(senders[2])]
            if SphericalGeometry.dot(a, SphericalGeometry.cross(b, c)) < 0 { swap(&b, &c) }
            let t = [SphericalGeometry.dot(p, SphericalGeometry.cross(b, c)),
                     SphericalGeometry.dot(p, SphericalGeometry.cross(c, a)),
                     SphericalGeometry.dot(p, SphericalGeometry.cross(a, b))]
            let total = t.reduce(0, +)
            #expect(total > 0)
            let weights = t.map { $0 / total }
            worst = min(worst, weights.min() ?? -1)
            #expect(weights.allSatisfy { $0 >= -1e-12 && $0 <= 1 + 1e-12 }, "grid point \(i) (\(lat), \(lon)): weights \(weights)")
        }
        #expect(worst >= -1e-12)
    }

    @Test func grid2meshReachesEveryMeshNodeWithinTheRadius() throws {
        let graph = try Self.graph.get()
        let radius = 0.6 * graph.mesh.maxEdgeChord(level: 3)
        #expect(abs(radius - 0.0988) < 0.001)
        var received = [Int](repeating: 0, count: graph.meshNodeCount)
        for r in graph.grid2mesh.receivers { received[Int(r)] += 1 }
        #expect(received.allSatisfy { $0 >= 1 }, "mesh nodes without grid→mesh edges: \(received.indices.filter { received[$0] == 0 })")
        // Lengths: normalised by the longest edge, which lies within the radius.
        let lengths = stride(from: 0, to: graph.grid2mesh.features.count, by: 4).map { graph.grid2mesh.features[$0] }
        #expect(abs((lengths.max() ?? 0) - 1) < 1e-12)
        #expect(graph.grid2mesh.longestEdge <= radius * (1 + 1e-12))
        #expect(graph.grid2mesh.longestEdge > 0.8 * radius)
    }

    /// The receiver-frame displacement d of unit vectors obeys d_radial = −|d|²/2 and
    /// |d|² = d_radial² + d_east² + d_north², in every edge set, on the seam too.
    @Test func edgeFeaturesAreConsistentEverywhere() throws {
        let graph = try Self.graph.get()
        let meshLongitudes = graph.mesh.nodes.map { SphericalGeometry.geoPoint($0).longitude }
        for (name, set, seam) in [("grid2mesh", graph.grid2mesh, { (r: Int32) in abs(meshLongitudes[Int(r)]) < 1e-9 }),
                                  ("multimesh", graph.multimesh, { (r: Int32) in abs(meshLongitudes[Int(r)]) < 1e-9 }),
                                  ("mesh2grid", graph.mesh2grid, { (r: Int32) in r % 64 == 0 })] {
            var seamEdges = 0
            let scale = set.longestEdge
            for e in 0..<set.count {
                let f = Array(set.features[(4 * e)..<(4 * e + 4)])
                #expect(f.allSatisfy { $0.isFinite }, "\(name) edge \(e)")
                let length = f[0] * scale
                let radial = f[1] * scale
                #expect(abs(radial + length * length / 2) < 1e-12, "\(name) edge \(e): radial \(radial), length \(length)")
                #expect(abs(f[0] * f[0] - (f[1] * f[1] + f[2] * f[2] + f[3] * f[3])) < 1e-12)
                if seam(set.receivers[e]) { seamEdges += 1 }
            }
            #expect(seamEdges > 0, "\(name): no receiver on the 0° meridian")
        }
    }

    @Test func localFrameAtTheEquatorAndThePole() {
        // Receiver at (0°, 0°): the frame is (x, y, z) itself.
        let s = GeoPoint(latitude: 10, longitude: 20)
        let v = s.unitVector
        let f = MeshGraph.localDisplacement(sender: s, receiver: GeoPoint(latitude: 0, longitude: 0))
        #expect(abs(f[1] - (v.x - 1)) < 1e-15 && abs(f[2] - v.y) < 1e-15 && abs(f[3] - v.z) < 1e-15)
        // Receiver (30°, 40°), sender 5° due east along the parallel / due north on the meridian.
        let r = GeoPoint(latitude: 30, longitude: 40)
        let east = MeshGraph.localDisplacement(sender: GeoPoint(latitude: 30, longitude: 45), receiver: r)
        // Along the parallel: east cosφ·sinΔλ, north cosφ·sinφ·(1 − cosΔλ) (the parallel bends poleward).
        let phi = 30 * Double.pi / 180, dLambda = 5 * Double.pi / 180
        #expect(abs(east[2] - cos(phi) * sin(dLambda)) < 1e-15)
        #expect(abs(east[3] - cos(phi) * sin(phi) * (1 - cos(dLambda))) < 1e-15)
        let north = MeshGraph.localDisplacement(sender: GeoPoint(latitude: 35, longitude: 40), receiver: r)
        #expect(north[3] > 0 && abs(north[2]) < 1e-15)
        // Receiver at the north pole (any longitude): finite; a sender at 80° N on meridian
        // λ + 180° lies due "north" of the frame, one on meridian λ due "south".
        for lambda in [0.0, 123.0] {
            let pole = GeoPoint(latitude: 90, longitude: lambda)
            let across = MeshGraph.localDisplacement(sender: GeoPoint(latitude: 80, longitude: lambda + 180), receiver: pole)
            let along = MeshGraph.localDisplacement(sender: GeoPoint(latitude: 80, longitude: lambda), receiver: pole)
            #expect((across + along).allSatisfy { $0.isFinite })
            let chord = 2 * sin(5 * Double.pi / 180)
            #expect(abs(across[0] - chord) < 1e-12 && abs(across[1] + chord * chord / 2) < 1e-12)
            #expect(abs(across[2]) < 1e-12 && across[3] > 0.17)
            #expect(abs(along[2]) < 1e-12 && along[3] < -0.17)
        }
    }
}
