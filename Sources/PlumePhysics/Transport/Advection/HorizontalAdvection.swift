import PlumeGrids

/// The horizontal core of the reference tracer transport model (TM5-like): flux-form
/// finite-volume advection of tracer masses with the air mass, on a global regular
/// lat-lon grid, float64.
///
/// One step with air-mass fluxes F (kg per step) is the Strang sequence
/// X(F/2) · Y(F) · X(F/2) of one-dimensional sweeps (`ZonalSweep`, `MeridionalSweep`),
/// each updating the air mass m and the tracer masses rm = q·m with the same face fluxes
/// (TM5's scheme: the split 1-D flows are divergent, but m follows them, so q stays
/// consistent and a uniform q stays uniform). Reconstruction: `SubgridReconstruction` —
/// monotone PPM by default (no negative values, no new extrema), or van Leer slopes
/// (monotone), or positive-definite PPM with fourth- or sixth-order edge values
/// (`ppmPositive`, `ppm6Positive`: no negative values, much smaller errors on smooth
/// fields, not monotone; `ppm6Positive` is the most accurate). In the meridional sweep the
/// fourth-order edge values use CW84's non-uniform mesh formula in air-mass coordinates
/// (cell masses vary as cos φ).
///
/// Stability at any resolution, polar rows included:
/// - zonal sweeps take any Courant number (integer shift in air mass + fractional flux), so
///   the shrinking Δx near the poles sets no limit;
/// - the step is split into n equal sub-steps (each the whole Strang sequence with F/n)
///   when a meridional sweep would move more than `maximumMeridionalCourant` of a cell's
///   air mass, or a half zonal sweep would change a cell's air mass by more than
///   `maximumZonalMassChange` (the divergence of the split zonal flow, largest in the
///   polar rows when the flow crosses a pole). n is estimated from the fluxes and doubled
///   (from the saved state) if a sweep still fails.
///
/// Invariants: tracer and air mass are conserved to round-off (every face flux leaves one
/// cell and enters the other); non-divergent fluxes (`StreamfunctionMassFluxes`) leave the
/// air mass of every cell unchanged to round-off after each step.
public struct HorizontalAdvection: Sendable {
    public let grid: TransportGrid
    public var reconstruction: SubgridReconstruction
    /// Largest fraction of a cell's air mass that a meridional sweep may move out of it
    /// (≤ 1; the estimate for n targets 0.8 of it).
    public var maximumMeridionalCourant: Double = 1.0
    /// Largest relative change of a cell's air mass in a half zonal sweep (< 1).
    public var maximumZonalMassChange: Double = 0.5
    /// Give up (throw `TransportError.unstable`) beyond this many sub-steps.
    public var maximumSubsteps: Int = 4096

    public init(grid: TransportGrid, reconstruction: SubgridReconstruction = .ppm) {
        self.grid = grid
        self.reconstruction = reconstruction
    }

    /// What one call of `step` did.
    public struct StepReport: Sendable, Equatable {
        /// Sub-steps the step was split into (1: none).
        public var substeps: Int
        /// Attempts (each failed attempt doubles the sub-steps and restarts from the saved state).
        public var attempts: Int
    }

    /// Advances `state` by one step with the air-mass fluxes `fluxes` (kg per step).
    @discardableResult
    public func step(_ state: inout TracerMassState, fluxes: HorizontalMassFluxes) throws(TransportError) -> StepReport {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, levels = state.levelCount
        guard state.latitudeCount == nlat, state.longitudeCount == nlon else {
            throw .shapeMismatch(name: "state grid (lat·lon)", expected: nlat * nlon, actual: state.latitudeCount * state.longitudeCount)
        }
        guard fluxes.levelCount == levels, fluxes.latitudeCount == nlat, fluxes.longitudeCount == nlon else {
            throw .shapeMismatch(name: "mass fluxes [level, lat, lon]", expected: levels * nlat * nlon,
                                 actual: fluxes.levelCount * fluxes.latitudeCount * fluxes.longitudeCount)
        }
        let tracers = state.tracerMass.count
        let fieldSize = levels * nlat * nlon
        var n = estimatedSubsteps(airMass: state.airMass, fluxes: fluxes, levelCount: levels)
        guard n <= maximumSubsteps else {
            throw .unstable(substeps: n, reason: "the fluxes need \(n) sub-steps (limit \(maximumSubsteps)); is the time step far too long?")
        }
        // Work on one flat tracer array [tracer, level, lat, lon].
        var flat = [Double]()
        flat.reserveCapacity(tracers * fieldSize)
        for t in state.tracerMass { flat.append(contentsOf: t) }
        if flat.isEmpty { flat = [0] }  // the sweeps want a valid pointer even without tracers
        var attempts = 0
        while true {
            attempts += 1
            var m = state.airMass
            var rm = flat
            let ok = advance(airMass: &m, tracerMass: &rm, fluxes: fluxes, substeps: n, levelCount: levels, tracerCount: tracers)
            if ok {
                state.airMass = m
                for t in 0..<tracers { state.tracerMass[t] = Array(rm[(t * fieldSize)..<((t + 1) * fieldSize)]) }
                return StepReport(substeps: n, attempts: attempts)
            }
            n *= 2
            guard n <= maximumSubsteps else {
                throw .unstable(substeps: n / 2, reason: "an air mass would fall to nearly zero or a meridional Courant number exceed \(maximumMeridionalCourant)")
            }
        }
    }

    /// Sub-steps needed by the estimate (from the air masses at the start of the step).
    func estimatedSubsteps(airMass: [Double], fluxes: HorizontalMassFluxes, levelCount: Int) -> Int {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        var worstY = 0.0, worstX = 0.0
        for k in 0..<levelCount {
            for j in 0..<nlat {
                let row = (k * nlat + j) * nlon
                let south = (k * (nlat + 1) + j) * nlon, north = south + nlon
                for i in 0..<nlon {
                    let mass = airMass[row + i]
                    let fs = fluxes.northward[south + i], fn = fluxes.northward[north + i]
                    worstY = max(worstY, (max(fn, 0) - min(fs, 0)) / mass)
                    let east = i + 1 == nlon ? row : row + i + 1
                    worstX = max(worstX, 0.5 * abs(fluxes.eastward[row + i] - fluxes.eastward[east]) / mass)
                }
            }
        }
        let ny = worstY / (0.8 * maximumMeridionalCourant), nx = worstX / (0.8 * maximumZonalMassChange)
        let needed = max(1.0, ny, nx)
        guard needed.isFinite, needed < Double(Int.max / 4) else { return Int.max / 4 }
        return Int(needed.rounded(.up))
    }

    /// `substeps` Strang sequences with fluxes F/substeps; false when a sweep failed.
    private func advance(airMass m: inout [Double], tracerMass rm: inout [Double], fluxes: HorizontalMassFluxes,
                         substeps: Int, levelCount: Int, tracerCount: Int) -> Bool {
        let fraction = 1.0 / Double(substeps)
        let minimumFraction = 1 - maximumZonalMassChange * 1.9
        let scheme = reconstruction
        let grid = self.grid
        let maxCourant = maximumMeridionalCourant
        return m.withUnsafeMutableBufferPointer { mBuffer -> Bool in
            rm.withUnsafeMutableBufferPointer { rmBuffer -> Bool in
                fluxes.eastward.withUnsafeBufferPointer { eBuffer -> Bool in
                    fluxes.northward.withUnsafeBufferPointer { nBuffer -> Bool in
                        guard let mb = mBuffer.baseAddress, let rb = rmBuffer.baseAddress, let eb = eBuffer.baseAddress,
                              let nb = nBuffer.baseAddress else {
                            return false
                        }
                        for _ in 0..<substeps {
                            guard ZonalSweep.apply(grid: grid, scheme: scheme, levelCount: levelCount, tracerCount: tracerCount,
                                                   airMass: mb, tracerMass: rb, eastward: eb, factor: 0.5 * fraction,
                                                   minimumMassFraction: minimumFraction),
                                MeridionalSweep.apply(grid: grid, scheme: scheme, levelCount: levelCount, tracerCount: tracerCount,
                                                      airMass: mb, tracerMass: rb, northward: nb, factor: fraction,
                                                      maximumCourant: maxCourant, minimumMassFraction: 1e-3),
                                ZonalSweep.apply(grid: grid, scheme: scheme, levelCount: levelCount, tracerCount: tracerCount,
                                                 airMass: mb, tracerMass: rb, eastward: eb, factor: 0.5 * fraction,
                                                 minimumMassFraction: minimumFraction)
                            else { return false }
                        }
                        return true
                    }
                }
            }
        }
    }
}
