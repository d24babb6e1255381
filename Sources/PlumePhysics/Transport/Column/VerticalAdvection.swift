import PlumeSupport

/// Flux-form advection of tracer masses with the air mass through the interfaces of every
/// column (the vertical part of TM5's operator splitting), float64.
///
/// The upward air-mass fluxes W (kg per step, `[level + 1, lat, lon]`, `VerticalMassFluxes`)
/// move air mass and tracer mass between the layers of each column: the air mass crossing
/// an interface carries the mean mixing ratio of the part of the upstream layer next to the
/// interface, from the layer's sub-grid profile in air-mass coordinate (the
/// `SubgridReconstruction` of the horizontal sweeps; the wide-stencil `ppm6Positive` uses
/// `ppmPositive` here, as columns are short and non-uniform). The surface and the top are
/// closed; beyond them the profile is continued by the end layers' values.
///
/// Stability: the step is split into n equal sub-steps when a layer would lose more than
/// `maximumCourant` of its air mass through its two interfaces, or keep less than
/// `minimumMassFraction` of it; n doubles until every sub-step passes.
///
/// Invariants: each column's air and tracer masses are conserved to round-off; a uniform
/// mixing ratio stays uniform; monotone and positive schemes give no negative values.
public struct VerticalAdvection: Sendable {
    public var reconstruction: SubgridReconstruction
    public var maximumCourant: Double = 0.9
    public var minimumMassFraction: Double = 0.05
    public var maximumSubsteps: Int = 1024

    public init(reconstruction: SubgridReconstruction = .ppm) {
        self.reconstruction = reconstruction
    }

    /// Moves the air and tracer masses of `state` by the upward fluxes `upward`; returns
    /// the number of sub-steps.
    @discardableResult
    public func apply(to state: inout TracerMassState, upward: [Double]) throws(TransportError) -> Int {
        let levels = state.levelCount, n = state.latitudeCount * state.longitudeCount
        guard upward.count == (levels + 1) * n else {
            throw .shapeMismatch(name: "vertical mass fluxes [level + 1, lat, lon]", expected: (levels + 1) * n, actual: upward.count)
        }
        if let bad = upward.firstIndex(where: { !$0.isFinite }) {
            throw .invalidValue(name: "vertical mass fluxes", reason: "value \(upward[bad]) at index \(bad)")
        }
        let scheme: SubgridReconstruction = reconstruction == .ppm6Positive ? .ppmPositive : reconstruction
        var substeps = 1
        while substeps <= maximumSubsteps {
            var candidate = state
            if Self.advance(&candidate, upward: upward, substeps: substeps, scheme: scheme,
                            maximumCourant: maximumCourant, minimumMassFraction: minimumMassFraction) {
                state = candidate
                return substeps
            }
            substeps *= 2
        }
        throw .unstable(substeps: maximumSubsteps,
                        reason: "a vertical flux moves more than \(maximumCourant) of a layer's air mass; is the time step far too long?")
    }

    /// `substeps` updates with W/substeps; false when a layer failed the Courant or mass
    /// check (the state is then partly updated; the caller retries from a copy). The
    /// columns are independent: rows of columns run in parallel.
    private static func advance(_ state: inout TracerMassState, upward: [Double], substeps: Int,
                                scheme: SubgridReconstruction, maximumCourant: Double,
                                minimumMassFraction: Double) -> Bool {
        let levels = state.levelCount, nlat = state.latitudeCount, nlon = state.longitudeCount, n = nlat * nlon
        let tracers = state.tracerMass.count
        let fieldSize = levels * n
        var flat = [Double]()
        flat.reserveCapacity(max(tracers, 1) * fieldSize)
        for t in state.tracerMass { flat.append(contentsOf: t) }
        if flat.isEmpty { flat = [0] }
        var failures = [UInt8](repeating: 0, count: nlat)
        let ok = state.airMass.withUnsafeMutableBufferPointer { mBuffer -> Bool in
            flat.withUnsafeMutableBufferPointer { rBuffer -> Bool in
                upward.withUnsafeBufferPointer { wBuffer -> Bool in
                    failures.withUnsafeMutableBufferPointer { fBuffer -> Bool in
                        guard let mb = mBuffer.baseAddress, let rb = rBuffer.baseAddress, let wb = wBuffer.baseAddress,
                              let fb = fBuffer.baseAddress else { return false }
                        let m = SharedMutablePointer<Double>(base: mb), rm = SharedMutablePointer<Double>(base: rb)
                        let w = SharedPointer<Double>(base: wb), failed = SharedMutablePointer<UInt8>(base: fb)
                        parallelFor(nlat, minimumWork: 8_192, work: fieldSize * max(tracers, 1) * 4) { j in
                            var column = ColumnScratch(levels: levels, tracers: tracers)
                            for i in 0..<nlon {
                                let c = j * nlon + i
                                if !column.advance(cell: c, cells: n, fieldSize: fieldSize, airMass: m.base, tracerMass: rm.base,
                                                   upward: w.base, substeps: substeps, scheme: scheme,
                                                   maximumCourant: maximumCourant, minimumMassFraction: minimumMassFraction) {
                                    failed.base[j] = 1
                                    return
                                }
                            }
                        }
                        return !fBuffer.contains(1)
                    }
                }
            }
        }
        guard ok else { return false }
        for t in 0..<tracers { state.tracerMass[t] = Array(flat[(t * fieldSize)..<((t + 1) * fieldSize)]) }
        return true
    }
}

/// The work arrays of one column.
private struct ColumnScratch {
    let levels: Int, tracers: Int
    var m: [Double], w: [Double], rm: [Double], q: [Double], h: [Double], left: [Double], right: [Double], g: [Double]

    init(levels: Int, tracers: Int) {
        self.levels = levels
        self.tracers = tracers
        m = [Double](repeating: 0, count: levels)
        w = [Double](repeating: 0, count: levels + 1)
        rm = [Double](repeating: 0, count: tracers * levels)
        q = [Double](repeating: 0, count: levels + 4)
        h = q
        left = m
        right = m
        g = w
    }

    /// Advances column `c` (`substeps` updates with W/substeps); false when a layer failed.
    mutating func advance(cell c: Int, cells n: Int, fieldSize: Int, airMass: UnsafeMutablePointer<Double>,
                          tracerMass: UnsafeMutablePointer<Double>, upward: UnsafePointer<Double>, substeps: Int,
                          scheme: SubgridReconstruction, maximumCourant: Double, minimumMassFraction: Double) -> Bool {
        let fraction = 1 / Double(substeps)
        for k in 0..<levels { m[k] = airMass[k * n + c] }
        for k in 0...levels { w[k] = fraction * upward[k * n + c] }
        w[0] = 0
        w[levels] = 0
        for t in 0..<tracers {
            for k in 0..<levels { rm[t * levels + k] = tracerMass[t * fieldSize + k * n + c] }
        }
        for _ in 0..<substeps {
            // Courant and positivity check.
            for k in 0..<levels {
                let out = max(w[k + 1], 0) - min(w[k], 0)
                let newMass = m[k] + w[k] - w[k + 1]
                if !(out <= maximumCourant * m[k]) || !(newMass > minimumMassFraction * m[k]) { return false }
            }
            for t in 0..<tracers {
                // Mixing ratios with two ghost layers each end (the end layers' values).
                for k in 0..<levels {
                    q[k + 2] = rm[t * levels + k] / m[k]
                    h[k + 2] = m[k]
                }
                q[0] = q[2]; q[1] = q[2]; h[0] = h[2]; h[1] = h[2]
                q[levels + 2] = q[levels + 1]; q[levels + 3] = q[levels + 1]
                h[levels + 2] = h[levels + 1]; h[levels + 3] = h[levels + 1]
                for k in 0..<levels {
                    let p = ReconstructionKernel.nonuniformParabola(scheme, q[k], q[k + 1], q[k + 2], q[k + 3], q[k + 4],
                                                                      h[k], h[k + 1], h[k + 2], h[k + 3], h[k + 4])
                    left[k] = p.left   // bottom edge
                    right[k] = p.right // top edge
                }
                g[0] = 0
                g[levels] = 0
                for k in 1..<levels {
                    let f = w[k]
                    if f > 0 {  // upward from layer k − 1: its top part
                        g[k] = f * ReconstructionKernel.rightSegmentMean(q[k + 1], left[k - 1], right[k - 1], f / m[k - 1])
                    } else if f < 0 {  // downward from layer k: its bottom part
                        g[k] = f * ReconstructionKernel.leftSegmentMean(q[k + 2], left[k], right[k], -f / m[k])
                    } else {
                        g[k] = 0
                    }
                }
                for k in 0..<levels {
                    rm[t * levels + k] = ReconstructionKernel.updatedContent(rm[t * levels + k], g[k], g[k + 1])
                }
            }
            for k in 0..<levels { m[k] += w[k] - w[k + 1] }
        }
        for k in 0..<levels { airMass[k * n + c] = m[k] }
        for t in 0..<tracers {
            for k in 0..<levels { tracerMass[t * fieldSize + k * n + c] = rm[t * levels + k] }
        }
        return true
    }
}
