import PlumeSupport
import PlumeGrids

/// One zonal (east-west) flux-form sweep over every row of every level.
///
/// Any Courant number: the air mass crossing a face is taken from the upstream cells in
/// mass order — whole cells first (their whole tracer mass: the "integer shift" of Lin &
/// Rood 1996, here in air-mass rather than longitude units so rows of uneven air mass are
/// handled alike), then a fraction c ∈ (0, 1] of the next cell, whose tracer is the
/// integral of that cell's monotone sub-grid profile over its downstream fraction c. Rows
/// near the poles, where Δx → 0 and the zonal Courant number reaches tens, therefore need
/// no sub-stepping in longitude.
///
/// The new cell content is the integral of the reconstruction between the departure
/// points of its two faces, so positivity and the max principle hold as long as the new
/// air mass (the departure interval) stays positive; the sweep reports failure otherwise,
/// or when a face would carry a whole row's air mass, and the driver sub-steps.
enum ZonalSweep {
    /// Applies `factor ×` the eastward fluxes (`[level, lat, lon]`, kg) to `airMass`
    /// (`[level, lat, lon]`) and `tracerMass` (`[tracer, level, lat, lon]`). Returns false,
    /// with the arrays partly updated, when a cell's air mass would fall below
    /// `minimumMassFraction` of its value.
    static func apply(grid: TransportGrid, scheme: SubgridReconstruction, levelCount: Int, tracerCount: Int,
                      airMass: UnsafeMutablePointer<Double>, tracerMass: UnsafeMutablePointer<Double>,
                      eastward: UnsafePointer<Double>, factor: Double, minimumMassFraction: Double) -> Bool {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        let rows = levelCount * nlat
        let fieldSize = levelCount * nlat * nlon
        let m = SharedMutablePointer<Double>(base: airMass)
        let rm = SharedMutablePointer<Double>(base: tracerMass)
        let flux = SharedPointer<Double>(base: eastward)
        var failures = [UInt8](repeating: 0, count: rows)
        failures.withUnsafeMutableBufferPointer { failureBuffer in
            guard let failureBase = failureBuffer.baseAddress else { return }
            let failed = SharedMutablePointer<UInt8>(base: failureBase)
            parallelFor(rows, minimumWork: 8_192, work: fieldSize * max(tracerCount, 1)) { r in
                let ok = sweepRow(offset: r * nlon, count: nlon, fieldSize: fieldSize, tracerCount: tracerCount, scheme: scheme,
                                  m: m.base, rm: rm.base, flux: flux.base, factor: factor, minimumMassFraction: minimumMassFraction)
                failed.base[r] = ok ? 0 : 1
            }
        }
        return !failures.contains(1)
    }

    /// Sweeps the row of `count` cells starting at `offset`.
    private static func sweepRow(offset: Int, count n: Int, fieldSize: Int, tracerCount: Int, scheme: SubgridReconstruction,
                                 m: UnsafeMutablePointer<Double>, rm: UnsafeMutablePointer<Double>,
                                 flux: UnsafePointer<Double>, factor: Double, minimumMassFraction: Double) -> Bool {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 8 * n + 12) { scratch -> Bool in
            guard let s = scratch.baseAddress else { return false }
            // Air masses and mixing ratios with three periodic ghosts on each side: mOld[-3 ..< n+3], q[-3 ..< n+3].
            let mOld = s + 3, f = s + n + 6, rem = s + 2 * n + 6, q = s + 3 * n + 6, left = s + 4 * n + 12,
                right = s + 5 * n + 12, g = s + 6 * n + 12
            return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * n) { intScratch -> Bool in
                guard let ib = intScratch.baseAddress else { return false }
                let whole = ib, fracCell = ib + n
                var rowMass = 0.0
                for i in 0..<n {
                    mOld[i] = m[offset + i]
                    f[i] = factor * flux[offset + i]
                    rowMass += mOld[i]
                }
                for k in 1...3 {
                    mOld[-k] = mOld[((-k) % n + n) % n]
                    mOld[n - 1 + k] = mOld[(k - 1) % n]
                }
                // New air masses, and the mass walk of every face (same for all tracers).
                for i in 0..<n {
                    let east = i + 1 == n ? 0 : i + 1
                    let newMass = mOld[i] + f[i] - f[east]
                    if !(newMass > minimumMassFraction * mOld[i]) { return false }
                    let fi = f[i]
                    if !(abs(fi) < rowMass) { return false }
                    var r = abs(fi), c = 0, w = 0
                    if fi > 0 {
                        c = i == 0 ? n - 1 : i - 1
                        while r > mOld[c] { r -= mOld[c]; w += 1; c = c == 0 ? n - 1 : c - 1 }
                    } else if fi < 0 {
                        c = i
                        while r > mOld[c] { r -= mOld[c]; w += 1; c = c + 1 == n ? 0 : c + 1 }
                    }
                    rem[i] = r
                    whole[i] = w
                    fracCell[i] = c
                }
                for t in 0..<max(tracerCount, 0) {
                    let trm = rm + t * fieldSize + offset
                    let qq = q + 3
                    for i in 0..<n { qq[i] = trm[i] / mOld[i] }
                    for k in 1...3 {
                        qq[-k] = qq[((-k) % n + n) % n]
                        qq[n - 1 + k] = qq[(k - 1) % n]
                    }
                    if ReconstructionKernel.usesWideStencil(scheme) {
                        for i in 0..<n {
                            let p = ReconstructionKernel.widePositiveParabola(qq + i, nil, 1)
                            left[i] = p.left
                            right[i] = p.right
                        }
                    } else {
                        for i in 0..<n {
                        let p = ReconstructionKernel.parabola(scheme, qq[i - 2], qq[i - 1], qq[i], qq[i + 1], qq[i + 2])
                        left[i] = p.left
                        right[i] = p.right
                        }
                    }
                    for i in 0..<n {
                        let fi = f[i]
                        if fi == 0 { g[i] = 0; continue }
                        let c = fracCell[i], r = rem[i]
                        var sum = 0.0
                        if fi > 0 {
                            var k = i
                            for _ in 0..<whole[i] { k = k == 0 ? n - 1 : k - 1; sum += trm[k] }
                            sum += r * ReconstructionKernel.rightSegmentMean(qq[c], left[c], right[c], r / mOld[c])
                            g[i] = sum
                        } else {
                            var k = i
                            for _ in 0..<whole[i] { sum += trm[k]; k = k + 1 == n ? 0 : k + 1 }
                            sum += r * ReconstructionKernel.leftSegmentMean(qq[c], left[c], right[c], r / mOld[c])
                            g[i] = -sum
                        }
                    }
                    let g0 = g[0]
                    for i in 0..<n {
                        let east = i + 1 == n ? g0 : g[i + 1]
                        trm[i] = ReconstructionKernel.updatedContent(trm[i], g[i], east)
                    }
                }
                let f0 = f[0]
                for i in 0..<n {
                    let east = i + 1 == n ? f0 : f[i + 1]
                    m[offset + i] = mOld[i] + f[i] - east
                }
                return true
            }
        }
    }
}
