import Foundation
import PlumeConservation
import PlumeGrids

/// The air-mass fluxes of one transport step.
public struct Transport3DStepFluxes: Sendable {
    /// Horizontal air mass through the faces, kg per step.
    public var horizontal: HorizontalMassFluxes
    /// Air mass moving upward through each interface, kg per step, `[level + 1, lat, lon]`
    /// (`VerticalMassFluxes`: row 0 the surface, row L the top, both zero); `nil` when the
    /// horizontal fluxes are discretely non-divergent and there is no vertical transport.
    public var upward: [Double]?
    /// Air mass of every cell at the end of the step, kg, `[level, lat, lon]`; `nil`: the
    /// geometry's constant air mass.
    public var airMassAtEnd: [Double]?
    /// What the balancing against the surface-pressure tendency did (winds from files).
    public var balance: MassFluxBalancer.Report?

    public init(horizontal: HorizontalMassFluxes, upward: [Double]? = nil, airMassAtEnd: [Double]? = nil,
                balance: MassFluxBalancer.Report? = nil) {
        self.horizontal = horizontal
        self.upward = upward
        self.airMassAtEnd = airMassAtEnd
        self.balance = balance
    }
}

/// A source of air-mass fluxes for `Transport3DModel`.
///
/// Two kinds conform:
/// - winds whose horizontal fluxes are discretely non-divergent in every layer (each cell's
///   four face fluxes cancel), e.g. from a streamfunction through `StreamfunctionMassFluxes`:
///   they implement `massFluxes`, and the air mass of every cell stays the geometry's Δp·A/g
///   (the model checks this after every step);
/// - winds and surface pressures read from files (`Transport3DMeteorologyWinds`): they
///   implement `stepFluxes` with horizontal fluxes balanced against the surface-pressure
///   tendency, vertical fluxes from continuity and the air mass at the end of the step, and
///   `airMass(geometry:at:)`.
public protocol Transport3DWindProvider: Sendable {
    /// Air mass crossing every face during [`time`, `time` + `duration`], kg,
    /// `HorizontalMassFluxes` layout (`[level, lat, lon]` eastward, `[level, lat + 1, lon]`
    /// northward), for the layers of `geometry`.
    func massFluxes(geometry: Transport3DGeometry, from time: Double, duration: Double) throws(TransportError) -> HorizontalMassFluxes
    /// All fluxes of the step [`time`, `time` + `duration`]. Default: `massFluxes` alone.
    func stepFluxes(geometry: Transport3DGeometry, from time: Double, duration: Double) throws(TransportError) -> Transport3DStepFluxes
    /// Air mass of every cell at `time`, kg, `[level, lat, lon]`. Default: the geometry's.
    func airMass(geometry: Transport3DGeometry, at time: Double) throws(TransportError) -> [Double]
}

extension Transport3DWindProvider {
    public func stepFluxes(geometry: Transport3DGeometry, from time: Double, duration: Double) throws(TransportError) -> Transport3DStepFluxes {
        Transport3DStepFluxes(horizontal: try massFluxes(geometry: geometry, from: time, duration: duration))
    }

    public func airMass(geometry: Transport3DGeometry, at time: Double) throws(TransportError) -> [Double] {
        geometry.airMass
    }
}

/// Analytic winds from a streamfunction per layer (u = −(1/R)∂ψ/∂φ, v = (1/(R cos φ))∂ψ/∂λ),
/// varying with height and time, turned into discretely non-divergent mass fluxes by
/// `StreamfunctionMassFluxes` (mass streamfunction σ_k·Δt·ψ_k at the corners, σ_k = Δp_k/g).
///
/// With s = 1 − p_k/p₀ (p_k the layer's mid pressure at p₀ = 1013.25 hPa; 0 at the surface,
/// → 1 at the top) and t the model time (s since 1 January, 00 UTC):
/// - solid-body rotation u = U_sb(s)·cos φ, U_sb = `solidBody`·s;
/// - a westerly jet in each hemisphere, u = U(s, t)·exp(−((φ ∓ φ_j)/w)²), φ_j = `jetLatitude`,
///   w = `jetWidth`, U = `jetSpeed`·(0.25 + s)·(1 ± `jetSeasonality`·cos 2π(t − 15 Jan)/year)
///   (each hemisphere's jet strongest in its winter);
/// - travelling waves ψ = A·R·4 cos²φ sin²φ·cos(m(λ − c t)) with zonal wavenumbers m and
///   phase speeds c from `waves`, A set so the largest meridional wind is V·(0.3 + s).
///
/// ψ is evaluated at the middle of each step (any corner field gives non-divergent fluxes;
/// the mid-point makes the time integration second order).
public struct Transport3DAnalyticWinds: Transport3DWindProvider {
    /// A travelling wave: zonal wavenumber, eastward phase speed (degrees of longitude per
    /// day) and peak meridional wind (m s⁻¹, reached at s = 0.7).
    public struct Wave: Sendable, Equatable {
        public var wavenumber: Int
        public var phaseSpeed: Double
        public var meridionalWind: Double
        public init(wavenumber: Int, phaseSpeed: Double, meridionalWind: Double) {
            self.wavenumber = wavenumber
            self.phaseSpeed = phaseSpeed
            self.meridionalWind = meridionalWind
        }
    }

    /// Equatorial speed of the solid-body part at the top (s = 1), m s⁻¹.
    public var solidBody: Double = 6
    /// Jet core speed scale, m s⁻¹ (the jet reaches `jetSpeed`·1.25 at the top).
    public var jetSpeed: Double = 25
    /// Jet latitude, degrees (both hemispheres).
    public var jetLatitude: Double = 42
    /// Jet e-folding half-width, degrees.
    public var jetWidth: Double = 10
    /// Relative seasonal modulation of the jets.
    public var jetSeasonality: Double = 0.3
    /// The travelling waves.
    public var waves: [Wave] = [Wave(wavenumber: 4, phaseSpeed: 8, meridionalWind: 8),
                                Wave(wavenumber: 2, phaseSpeed: -3, meridionalWind: 5)]

    public init() {}

    /// ψ of every layer at the corners of `grid` at time `t`, m² s⁻¹, `[level, lat + 1, lon]`,
    /// for layers with the height coordinate `s` (one value per layer).
    public func cornerStreamfunction(grid: TransportGrid, s: [Double], time t: Double) -> [Double] {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, levels = s.count
        let R = grid.radius, degree = Double.pi / 180
        let year = SyntheticSurfaceFluxes.year
        let season = cos(2 * .pi * (t - 14 * PhysicalConstants.day) / year)
        let north = 1 + jetSeasonality * season, south = 1 - jetSeasonality * season
        let w = jetWidth * degree, phiJ = jetLatitude * degree
        // Row parts: solid body −R sin φ; jets −R ∫ exp(−((φ ∓ φ_j)/w)²) dφ; wave shape 4R cos²φ sin²φ.
        var solid = [Double](repeating: 0, count: nlat + 1), jetN = solid, jetS = solid, waveShape = solid
        let erfScale = R * w * Double.pi.squareRoot() / 2
        for j in 0...nlat {
            let phi = grid.latitudeEdges[j]
            solid[j] = -R * sin(phi)
            jetN[j] = -erfScale * erf((phi - phiJ) / w)
            jetS[j] = -erfScale * erf((phi + phiJ) / w)
            waveShape[j] = 4 * R * cos(phi) * cos(phi) * sin(phi) * sin(phi)
        }
        // Column parts: cos(m(λ − c t)) per wave.
        var waveColumns = [[Double]]()
        for wave in waves {
            let c = wave.phaseSpeed * degree / PhysicalConstants.day
            let m = Double(wave.wavenumber)
            waveColumns.append((0..<nlon).map { cos(m * (grid.westEdge(column: $0) - c * t)) })
        }
        // v_max of one wave of amplitude A: 4·m·A·max(cos φ sin²φ) = 4·m·A·2/(3√3).
        let peak = 8 / (3 * 3.0.squareRoot())
        var out = [Double](repeating: 0, count: levels * (nlat + 1) * nlon)
        for k in 0..<levels {
            let sk = s[k]
            let usb = solidBody * sk, jet = jetSpeed * (0.25 + sk)
            let amplitudes = waves.map { wave in
                wave.wavenumber == 0 ? 0 : wave.meridionalWind * (0.3 + sk) / (peak * Double(wave.wavenumber))
            }
            for j in 0...nlat {
                let rowValue = usb * solid[j] + jet * (north * jetN[j] + south * jetS[j])
                let base = (k * (nlat + 1) + j) * nlon
                for i in 0..<nlon {
                    var v = rowValue
                    for (wIndex, columns) in waveColumns.enumerated() { v += amplitudes[wIndex] * waveShape[j] * columns[i] }
                    out[base + i] = v
                }
            }
        }
        return out
    }

    /// The height coordinate s = 1 − p_mid/p₀ of each layer of `geometry` (p₀ = 1013.25 hPa).
    public static func heightCoordinate(geometry: Transport3DGeometry) -> [Double] {
        geometry.referenceMidPressures(surfacePressure: 101_325).map { 1 - $0 / 101_325 }
    }

    public func massFluxes(geometry: Transport3DGeometry, from time: Double, duration: Double) throws(TransportError) -> HorizontalMassFluxes {
        guard time.isFinite, duration.isFinite, duration >= 0 else {
            throw .invalidValue(name: "wind interval", reason: "start \(time) s, duration \(duration) s")
        }
        let grid = geometry.grid
        var psi = cornerStreamfunction(grid: grid, s: Self.heightCoordinate(geometry: geometry), time: time + duration / 2)
        for idx in psi.indices { psi[idx] *= geometry.cornerMassPerArea[idx] * duration }
        return try StreamfunctionMassFluxes.massStreamfunctionFluxes(grid: grid, levelCount: geometry.levelCount, massStreamfunction: psi)
    }
}
