import PlumeSupport
import PlumeGrids

/// One meridional (south-north) flux-form sweep over every column of every level.
///
/// The air mass crossing a face must come from the single upstream cell: the fraction of
/// a cell's air mass leaving through its two faces together must stay below one (the
/// Courant number in air-mass units — at the polar rows, whose cells hold ~Δφ²/2 of a
/// band's mass instead of Δφ·cos φ, this is about twice the nominal v·Δt/(R·Δφ)). The
/// sweep reports failure otherwise and the driver sub-steps.
///
/// Polar rows: the pole faces carry nothing; the reconstruction of rows 0 and nlat − 1
/// uses the cells across the pole (same row, column i + nlon/2) as ghosts, so a
/// profile crossing the pole is reconstructed as the smooth field it is.
enum MeridionalSweep {
    /// Applies `factor ×` the northward fluxes (`[level, lat + 1, lon]`, kg) to `airMass`
    /// (`[level, lat, lon]`) and `tracerMass` (`[tracer, level, lat, lon]`). Returns false,
    /// with the arrays unchanged, when a cell would lose more than `maximumCourant` of its
    /// air mass or keep less than `minimumMassFraction` of it.
    static func apply(grid: TransportGrid, scheme: SubgridReconstruction, levelCount: Int, tracerCount: Int,
                      airMass: UnsafeMutablePointer<Double>, tracerMass: UnsafeMutablePointer<Double>,
                      northward: UnsafePointer<Double>, factor: Double, maximumCourant: Double,
                      minimumMassFraction: Double) -> Bool {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        let rows = levelCount * nlat
        let fieldSize = levelCount * nlat * nlon
        let half = nlon / 2
        let m = SharedMutablePointer<Double>(base: airMass)
        let rm = SharedMutablePointer<Double>(base: tracerMass)
        let flux = SharedPointer<Double>(base: northward)
        let work = fieldSize * max(tracerCount, 1)

        // 1. Courant and positivity check of every cell.
        var failures = [UInt8](repeating: 0, count: rows)
        failures.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let failed = SharedMutablePointer<UInt8>(base: base)
            parallelFor(rows, minimumWork: 8_192, work: fieldSize) { r in
                let k = r / nlat, j = r % nlat
                let cell = r * nlon
                let south = (k * (nlat + 1) + j) * nlon, north = south + nlon
                var bad: UInt8 = 0
                for i in 0..<nlon {
                    let fs = factor * flux.base[south + i], fn = factor * flux.base[north + i]
                    let mass = m.base[cell + i]
                    let out = max(fn, 0) - min(fs, 0)
                    let newMass = mass + fs - fn
                    if !(out <= maximumCourant * mass) || !(newMass > minimumMassFraction * mass) { bad = 1 }
                }
                failed.base[r] = bad
            }
        }
        if failures.contains(1) { return false }
        guard tracerCount > 0 else {
            updateAirMass(m: m, flux: flux, factor: factor, levelCount: levelCount, nlat: nlat, nlon: nlon, work: fieldSize)
            return true
        }

        // 2. Mixing ratios with three ghost rows beyond each pole (the rows across the pole,
        //    shifted by half a circle): [tracer·level, lat + 6, lon].
        let lines = tracerCount * levelCount
        let extRows = nlat + 6
        var qExt = [Double](repeating: 0, count: lines * extRows * nlon)
        var mExt = [Double](repeating: 0, count: levelCount * extRows * nlon)
        var left = [Double](repeating: 0, count: lines * nlat * nlon)
        var right = [Double](repeating: 0, count: lines * nlat * nlon)
        var g = [Double](repeating: 0, count: lines * (nlat + 1) * nlon)
        qExt.withUnsafeMutableBufferPointer { qBuffer in
            mExt.withUnsafeMutableBufferPointer { mExtBuffer in
                left.withUnsafeMutableBufferPointer { leftBuffer in
                    right.withUnsafeMutableBufferPointer { rightBuffer in
                        g.withUnsafeMutableBufferPointer { gBuffer in
                            guard let qb = qBuffer.baseAddress, let mxb = mExtBuffer.baseAddress, let lb = leftBuffer.baseAddress,
                                  let rb = rightBuffer.baseAddress, let gb = gBuffer.baseAddress else { return }
                            let mx = SharedMutablePointer<Double>(base: mxb)
                            let qp = SharedMutablePointer<Double>(base: qb), lp = SharedMutablePointer<Double>(base: lb),
                                rp = SharedMutablePointer<Double>(base: rb), gp = SharedMutablePointer<Double>(base: gb)
                            // Rows of (tracer·level, extended row): q of the row, or of the row across
                            // the pole for the ghosts (rows −1, −2, −3 ← rows 0, 1, 2 and rows nlat,
                            // nlat+1, nlat+2 ← rows nlat−1, nlat−2, nlat−3, half a circle round).
                            parallelFor(lines * extRows, minimumWork: 8_192, work: work) { r in
                                let line = r / extRows, e = r % extRows
                                let k = line % levelCount, t = line / levelCount
                                var j = e - 3, shifted = false
                                while j < 0 || j >= nlat {
                                    j = j < 0 ? -1 - j : 2 * nlat - 1 - j
                                    shifted.toggle()
                                }
                                let cell = (k * nlat + j) * nlon
                                let trm = rm.base + t * fieldSize + cell
                                let mass = m.base + cell
                                let q = qp.base + r * nlon
                                let shift = shifted ? half : 0
                                for i in 0..<nlon {
                                    let s = i + shift < nlon ? i + shift : i + shift - nlon
                                    q[i] = trm[s] / mass[s]
                                }
                                if t == 0 {  // the air masses (the widths of the mass coordinate), once per level
                                    let mr = mx.base + (k * extRows + e) * nlon
                                    for i in 0..<nlon { mr[i] = mass[i + shift < nlon ? i + shift : i + shift - nlon] }
                                }
                            }
                            // 3. Sub-grid profiles of every cell.
                            parallelFor(lines * nlat, minimumWork: 8_192, work: work) { r in
                                let line = r / nlat, j = r % nlat, k = line % levelCount
                                let e = qp.base + (line * extRows + j + 3) * nlon
                                let h = mx.base + (k * extRows + j + 3) * nlon
                                let l = lp.base + r * nlon, rr = rp.base + r * nlon
                                if ReconstructionKernel.usesWideStencil(scheme) {
                                    for i in 0..<nlon {
                                        let p = ReconstructionKernel.widePositiveParabola(e + i, h + i, nlon)
                                        l[i] = p.left
                                        rr[i] = p.right
                                    }
                                    return
                                }
                                for i in 0..<nlon {
                                    let p = ReconstructionKernel.nonuniformParabola(
                                        scheme, e[i - 2 * nlon], e[i - nlon], e[i], e[i + nlon], e[i + 2 * nlon],
                                        h[i - 2 * nlon], h[i - nlon], h[i], h[i + nlon], h[i + 2 * nlon])
                                    l[i] = p.left
                                    rr[i] = p.right
                                }
                            }
                            // 4. Tracer fluxes through the interior face rows 1..<nlat.
                            parallelFor(lines * (nlat + 1), minimumWork: 8_192, work: work) { r in
                                let line = r / (nlat + 1), face = r % (nlat + 1)
                                let k = line % levelCount
                                let out = gp.base + r * nlon
                                if face == 0 || face == nlat {
                                    for i in 0..<nlon { out[i] = 0 }
                                    return
                                }
                                let fl = flux.base + (k * (nlat + 1) + face) * nlon
                                let southCell = (k * nlat + face - 1) * nlon, northCell = southCell + nlon
                                let qs = qp.base + (line * extRows + face + 2) * nlon, qn = qs + nlon
                                let ls = lp.base + (line * nlat + face - 1) * nlon, ln = ls + nlon
                                let rs = rp.base + (line * nlat + face - 1) * nlon, rn = rs + nlon
                                for i in 0..<nlon {
                                    let fi = factor * fl[i]
                                    if fi > 0 {
                                        let c = fi / m.base[southCell + i]
                                        out[i] = fi * ReconstructionKernel.rightSegmentMean(qs[i], ls[i], rs[i], c)
                                    } else if fi < 0 {
                                        let c = -fi / m.base[northCell + i]
                                        out[i] = fi * ReconstructionKernel.leftSegmentMean(qn[i], ln[i], rn[i], c)
                                    } else {
                                        out[i] = 0
                                    }
                                }
                            }
                            // 5. Tracer update.
                            parallelFor(lines * nlat, minimumWork: 8_192, work: work) { r in
                                let line = r / nlat, j = r % nlat
                                let k = line % levelCount, t = line / levelCount
                                let trm = rm.base + t * fieldSize + (k * nlat + j) * nlon
                                let gs = gp.base + (line * (nlat + 1) + j) * nlon, gn = gs + nlon
                                for i in 0..<nlon { trm[i] = ReconstructionKernel.updatedContent(trm[i], gs[i], gn[i]) }
                            }
                        }
                    }
                }
            }
        }
        updateAirMass(m: m, flux: flux, factor: factor, levelCount: levelCount, nlat: nlat, nlon: nlon, work: fieldSize)
        return true
    }

    private static func updateAirMass(m: SharedMutablePointer<Double>, flux: SharedPointer<Double>, factor: Double,
                                      levelCount: Int, nlat: Int, nlon: Int, work: Int) {
        parallelFor(levelCount * nlat, minimumWork: 8_192, work: work) { r in
            let k = r / nlat, j = r % nlat
            let cell = r * nlon
            let south = (k * (nlat + 1) + j) * nlon, north = south + nlon
            for i in 0..<nlon {
                m.base[cell + i] += factor * flux.base[south + i] - factor * flux.base[north + i]
            }
        }
    }
}
