import Foundation
import Testing
@testable import PlumeGrids

/// M0…M6, built once for all tests; a failure to build any of them fails every test that
/// uses them, with the error, instead of silently leaving the level out.
private enum Meshes {
    private static let built: Result<[IcosahedralMesh], any Error> = Result { try (0...6).map { try IcosahedralMesh(level: $0) } }

    static func all() throws -> [IcosahedralMesh] { try built.get() }
}

/// A small reproducible random generator (SplitMix64).
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func length(_ v: SIMD3<Double>) -> Double { (v.x * v.x + v.y * v.y + v.z * v.z).squareRoot() }

@Suite("IcosahedralMesh")
struct IcosahedralMeshTests {
    static let nodeCounts = [12, 42, 162, 642, 2562, 10242, 40962]
    static let multimeshEdgeCounts = [60, 300, 1260, 5100, 20460, 81900, 327660]
    static let maxEdgeKilometres: [Double] = [6699, 3938, 2070, 1049, 526, 263, 132]

    @Test func nodeFaceAndMultimeshEdgeCounts() throws {
        try #require(try Meshes.all().count == 7)
        for (level, mesh) in try Meshes.all().enumerated() {
            #expect(mesh.level == level)
            #expect(mesh.name == "icosahedral-m\(level)")
            #expect(mesh.nodes.count == Self.nodeCounts[level])
            #expect(mesh.cellCount == Self.nodeCounts[level])
            #expect(mesh.shape == [Self.nodeCounts[level]])
            #expect(mesh.faces.count == 20 << (2 * level))
            #expect(mesh.isGlobal)
            let edges = mesh.multimeshEdges()
            #expect(edges.senders.count == Self.multimeshEdgeCounts[level])
            #expect(edges.receivers.count == Self.multimeshEdgeCounts[level])
        }
    }

    @Test func multimeshEdgesAreDirectedSortedAndSymmetric() throws {
        let mesh = try #require(try Meshes.all().last)
        let edges = mesh.multimeshEdges()
        var keys = Set<Int64>()
        var previous: Int64 = -1
        let n = Int64(mesh.nodeCount)
        for (s, r) in zip(edges.senders, edges.receivers) {
            #expect(s != r)
            let key = Int64(r) * n + Int64(s)
            #expect(key > previous, "sorted by receiver, then sender, without duplicates")
            previous = key
            keys.insert(Int64(s) * n + Int64(r))
        }
        for (s, r) in zip(edges.senders, edges.receivers) where !keys.contains(Int64(r) * n + Int64(s)) {
            Issue.record("edge \(s)→\(r) has no reverse")
        }
        // The multimesh is the union of the levels' edges, which are disjoint.
        let perLevel = (0...mesh.level).map { mesh.edges(ofLevel: $0).senders.count }
        #expect(perLevel == (0...6).map { 60 << (2 * $0) })
        #expect(perLevel.reduce(0, +) == edges.senders.count)
    }

    @Test func nodesAreUnitVectorsAndNested() throws {
        for mesh in try Meshes.all() {
            for v in mesh.nodes { #expect(abs(length(v) - 1) < 1e-15) }
        }
        let finest = try #require(try Meshes.all().last)
        for mesh in try Meshes.all() { #expect(Array(finest.nodes.prefix(mesh.nodeCount)) == mesh.nodes) }
        // Face k of level l splits into faces 4k…4k+3 of level l + 1 (GraphCast's order).
        for l in 0..<finest.level {
            for (k, f) in finest.levelFaces[l].enumerated() {
                let children = finest.levelFaces[l + 1][(4 * k)..<(4 * k + 4)]
                #expect(children[4 * k].x == f.x && children[4 * k + 1].y == f.y && children[4 * k + 2].z == f.z)
            }
        }
    }

    @Test func graphCastOrientationPutsPolesAtFaceCentres() throws {
        let centres = (try Meshes.all().first?.faceCentres() ?? []).map(\.z)
        #expect(centres.contains { abs($0 - 1) < 1e-14 })
        #expect(centres.contains { abs($0 + 1) < 1e-14 })
        let vertex0 = Icosahedron.vertices[0]
        let phi = Icosahedron.goldenRatio, theta = (Double.pi - 2 * asin(phi / 3.0.squareRoot())) / 2
        let norm = (1 + phi * phi).squareRoot()
        #expect(abs(vertex0.x - cos(theta) / norm) < 1e-15)
        #expect(abs(vertex0.y - phi / norm) < 1e-15)
        #expect(abs(vertex0.z - sin(theta) / norm) < 1e-15)
    }

    @Test func finestLevelDegreesAreFiveOrSix() throws {
        for mesh in try Meshes.all() {
            let edges = mesh.edges(ofLevel: mesh.level)
            var degree = [Int](repeating: 0, count: mesh.nodeCount)
            for r in edges.receivers { degree[Int(r)] += 1 }
            #expect(degree.filter { $0 == 5 }.count == 12)
            #expect(degree.allSatisfy { $0 == 5 || $0 == 6 })
            #expect(degree == mesh.valences.map(Int.init))
        }
    }

    @Test func eulerCharacteristicIsTwo() throws {
        for mesh in try Meshes.all() {
            for l in 0...mesh.level {
                let v = 10 << (2 * l) + 2
                let e = mesh.edges(ofLevel: l).senders.count / 2
                let f = mesh.levelFaces[l].count
                #expect(v - e + f == 2, "level \(l) of \(mesh.name)")
            }
        }
    }

    @Test func facesAreCounterClockwiseFromOutside() throws {
        for mesh in try Meshes.all() {
            for f in mesh.faces {
                let area = SphericalGeometry.triangleArea(mesh.nodes[Int(f.x)], mesh.nodes[Int(f.y)], mesh.nodes[Int(f.z)])
                #expect(area > 0)
            }
        }
    }

    @Test func dualCellAreasTileTheSphere() throws {
        for mesh in try Meshes.all() {
            let areas = mesh.cellAreas()
            #expect(areas.count == mesh.nodeCount)
            #expect(areas.allSatisfy { $0 > 0 })
            let total = areas.reduce(0, +)
            #expect(abs(total - 4 * .pi) / (4 * .pi) < 1e-12, "\(mesh.name): Σ area = \(total)")
            // Pentagons are a bit smaller than the hexagons around them, nothing extreme.
            let ratio = (areas.max() ?? 0) / (areas.min() ?? 1)
            #expect(ratio < 2)
        }
    }

    @Test func cornersAndCentres() throws {
        let mesh = try #require(try Meshes.all().dropFirst(2).first)
        let corners = mesh.corners(), centres = mesh.centres()
        #expect(corners.count == mesh.nodeCount && centres.count == mesh.nodeCount)
        #expect(corners.allSatisfy { $0.count == 6 })
        for (node, cell) in corners.enumerated() {
            let distinct = Set(cell).count
            #expect(distinct == Int(mesh.valences[node]))
            if distinct == 5 { #expect(cell[4] == cell[5]) }
            // Counter-clockwise: every fan triangle from the centre is positive.
            let c = centres[node].unitVector
            for k in 0..<distinct {
                let area = SphericalGeometry.triangleArea(c, cell[k].unitVector, cell[(k + 1) % distinct].unitVector)
                #expect(area > 0)
            }
            #expect(abs(length(centres[node].unitVector - mesh.nodes[node])) < 1e-14)
        }
        #expect(centres.allSatisfy { abs($0.latitude) <= 90 && $0.longitude > -180 && $0.longitude <= 180 })
    }

    @Test func maxEdgeLengthsMatchGraphCast() throws {
        let finest = try #require(try Meshes.all().last)
        for level in 0...6 {
            let km = finest.maxEdgeChord(level: level) * 6371
            #expect(abs(km - Self.maxEdgeKilometres[level]) / Self.maxEdgeKilometres[level] < 0.01,
                    "M\(level): \(km) km")
            #expect(abs(try Meshes.all()[level].maxEdgeChord(level: level) - finest.maxEdgeChord(level: level)) < 1e-15)
        }
    }

    /// The point, a face that contains it (all three signed triple products ≥ −ε),
    /// weights that are ≥ 0, sum to 1 and reproduce the point.
    private func checkLocation(_ mesh: IcosahedralMesh, _ point: SIMD3<Double>, _ label: String) {
        guard let location = mesh.locate(point) else {
            Issue.record("\(label): no face")
            return
        }
        let p = point / length(point)
        let f = mesh.faces[location.face]
        #expect(f == location.nodes)
        let a = mesh.nodes[Int(f.x)], b = mesh.nodes[Int(f.y)], c = mesh.nodes[Int(f.z)]
        let signed = [SphericalGeometry.dot(p, SphericalGeometry.cross(b, c)),
                      SphericalGeometry.dot(p, SphericalGeometry.cross(c, a)),
                      SphericalGeometry.dot(p, SphericalGeometry.cross(a, b))]
        #expect(signed.allSatisfy { $0 >= -1e-14 }, "\(label): outside face \(location.face): \(signed)")
        let w = location.weights
        #expect(w.x >= 0 && w.y >= 0 && w.z >= 0)
        #expect(abs(w.x + w.y + w.z - 1) < 1e-14)
        let q = w.x * a + w.y * b + w.z * c
        #expect(length(q / length(q) - p) < 1e-12, "\(label): weights do not reproduce the point")
    }

    @Test(arguments: [2, 3, 6])
    func locateFindsContainingFace(level: Int) throws {
        guard let mesh = try Meshes.all().first(where: { $0.level == level }) else {
            Issue.record("no M\(level)")
            return
        }
        var points: [(SIMD3<Double>, String)] = []
        var rng = SplitMix64(state: 0x5EED + UInt64(level))
        for i in 0..<1000 {
            let z = Double.random(in: -1...1, using: &rng), lon = Double.random(in: -Double.pi...Double.pi, using: &rng)
            let r = (1 - z * z).squareRoot()
            points.append((SIMD3(r * cos(lon), r * sin(lon), z), "random \(i)"))
        }
        points.append((SIMD3(0, 0, 1), "north pole"))
        points.append((SIMD3(0, 0, -1), "south pole"))
        for lat in stride(from: -90.0, through: 90, by: 7.5) {
            for lon in [-180.0, 180, 179.999999999, -179.999999999, 0] {
                points.append((GeoPoint(latitude: lat, longitude: lon).unitVector, "(\(lat), \(lon))"))
            }
        }
        // Exactly at nodes and on edges (midpoints and near-midpoints), the hardest cases.
        for node in stride(from: 0, to: mesh.nodeCount, by: max(1, mesh.nodeCount / 200)) {
            points.append((mesh.nodes[node], "node \(node)"))
        }
        for (k, f) in mesh.faces.enumerated() where k % max(1, mesh.faces.count / 200) == 0 {
            let a = mesh.nodes[Int(f.x)], b = mesh.nodes[Int(f.y)]
            points.append((a + b, "edge of face \(k)"))
            points.append((a + b * (1 + 1e-13), "near edge of face \(k)"))
        }
        for (point, label) in points { checkLocation(mesh, point, label) }
        #expect(mesh.locate(SIMD3(0, 0, 0)) == nil)
        #expect(mesh.locate(GeoPoint(latitude: .nan, longitude: 0)) == nil)
    }

    @Test func mesh2gridConnectivityUsesContainingTriangle() throws {
        let mesh = try #require(try Meshes.all().dropFirst(3).first)
        let grid = try RegularLatLonGrid.global(name: "latlon5.625", latitudeCount: 32, longitudeCount: 64)
        let points = grid.centres()
        let links = try mesh.mesh2gridConnectivity(points: points)
        #expect(links.meshIndices.count == 3 * points.count)
        for i in 0..<points.count {
            let location = try #require(mesh.locate(points[i]))
            #expect(Array(links.gridIndices[(3 * i)..<(3 * i + 3)]) == [Int32](repeating: Int32(i), count: 3))
            #expect(links.meshIndices[3 * i] == location.nodes.x)
            #expect(abs(links.weights[(3 * i)..<(3 * i + 3)].reduce(0, +) - 1) < 1e-14)
        }
        #expect(throws: GridError.self) { try mesh.mesh2gridConnectivity(points: [GeoPoint(latitude: .infinity, longitude: 0)]) }
    }

    @Test func grid2meshRadiusQueryMatchesBruteForce() throws {
        let mesh = try #require(try Meshes.all().dropFirst(3).first)
        #expect(mesh.level == 3)
        let grid = try RegularLatLonGrid.global(name: "latlon5.625", latitudeCount: 32, longitudeCount: 64)
        var points = grid.centres()
        points += [GeoPoint(latitude: 90, longitude: 0), GeoPoint(latitude: -90, longitude: 123),
                   GeoPoint(latitude: 10, longitude: 180), GeoPoint(latitude: 10, longitude: -180),
                   GeoPoint(latitude: -45, longitude: 359.9)]
        let radius = mesh.grid2meshRadius
        #expect(abs(radius * 6371 - 0.6 * 1049) < 0.6 * 1049 * 0.01)
        let links = mesh.grid2meshConnectivity(points: points)
        var expectedGrid: [Int32] = [], expectedMesh: [Int32] = []
        for (i, point) in points.enumerated() {
            let p = point.unitVector
            var connected = 0
            for (j, q) in mesh.nodes.enumerated() {
                let dx = q.x - p.x, dy = q.y - p.y, dz = q.z - p.z
                if dx * dx + dy * dy + dz * dz <= radius * radius {
                    expectedGrid.append(Int32(i)); expectedMesh.append(Int32(j)); connected += 1
                }
            }
            #expect(connected >= 1, "grid point \(i) reaches no mesh node")
        }
        #expect(links.gridIndices == expectedGrid)
        #expect(links.meshIndices == expectedMesh)
        // The same index with a larger radius than its cell size.
        let index = SpherePointIndex(points: mesh.nodes, cellSize: radius / 3)
        let p = GeoPoint(latitude: 89, longitude: 179).unitVector
        let near = index.indices(within: 2.5 * radius, of: p)
        let brute = mesh.nodes.indices.filter { SphericalGeometry.chord(mesh.nodes[$0], p) <= 2.5 * radius }.map { Int32($0) }
        #expect(near == brute)
        #expect(index.indices(within: -1, of: p).isEmpty)
    }

    @Test func levelOutsideZeroToSixIsRejected() {
        #expect(throws: GridError.self) { try IcosahedralMesh(level: 7) }
        #expect(throws: GridError.self) { try IcosahedralMesh(name: "bad", level: -1) }
    }

    @Test func catalogLoadsIcosahedralDefinitions() throws {
        let grid = try GridCatalog.grid("icosahedral-m3")
        let mesh = try #require(grid as? IcosahedralMesh)
        #expect(mesh.name == "icosahedral-m3")
        #expect(mesh.level == 3)
        #expect(mesh.cellCount == 642)
        let m4 = try GridCatalog.grid("icosahedral-m4")
        #expect(m4.cellCount == 2562)
    }
}
