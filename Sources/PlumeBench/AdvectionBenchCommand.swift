import ArgumentParser
import Foundation
import PlumePhysics
import PlumeGrids

/// `plume bench advection`: the standard transport test cases (Williamson et al. 1992
/// case 1 at α = 0 and α = π/2 − 0.05; Nair & Lauritzen 2010 case 4 with Gaussian hills)
/// at several resolutions of the global lat-lon grid, with the normalised L1, L2, L∞
/// errors, the convergence orders between successive resolutions, the invariants
/// (tracer-mass change, air-mass constancy, extrema) and the speed in simulated days per
/// wall-clock second of the advection. Prints markdown tables or JSON lines.
struct AdvectionBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advection",
        abstract: "Transport test cases (cosine bell, deformational flow): errors, convergence orders, speed.")

    @Option(help: "Grid spacings in degrees, comma-separated, coarse to fine (nlat = 180/Δ, nlon = 2·nlat).")
    var resolutions: String = "3,1.5,0.75"

    @Option(help: "Cases, comma-separated: bell-0 (α = 0), bell-polar (α = π/2 − 0.05), hills (deformational flow).")
    var cases: String = "bell-0,bell-polar,hills"

    @Option(help: "Meridional Courant number v_max·Δt/(R·Δφ) that sets the time step.")
    var courant: Double = 0.8

    @Option(help: "Sub-grid reconstructions, comma-separated: ppm (monotone), ppmPositive, ppm6Positive (sixth-order edges), vanLeer.")
    var schemes: String = "ppm,ppmPositive,ppm6Positive"

    @Option(help: "Deformation strength k·T/R of the hills case (Lauritzen et al. 2012: 10; κ = 2.4 of Nair & Lauritzen's units: 12).")
    var strength: Double = AdvectionTestCase.standardDeformationStrength

    @Option(help: "markdown or json (one line per run).")
    var format: String = "markdown"

    func validate() throws {
        for s in schemes.split(separator: ",") where SubgridReconstruction(rawValue: String(s)) == nil {
            throw ValidationError("unknown scheme '\(s)' (ppm, ppmPositive, ppm6Positive, vanLeer)")
        }
        guard format == "markdown" || format == "json" else { throw ValidationError("--format must be markdown or json") }
        guard courant > 0, courant.isFinite else { throw ValidationError("--courant must be positive") }
        for r in resolutions.split(separator: ",") {
            guard let d = Double(r), d > 0, (180 / d).rounded() == 180 / d else {
                throw ValidationError("resolution '\(r)' must divide 180°")
            }
        }
        for c in cases.split(separator: ",") where testCase(String(c)) == nil {
            throw ValidationError("unknown case '\(c)' (bell-0, bell-polar, hills)")
        }
    }

    func testCase(_ name: String) -> AdvectionTestCase? {
        switch name {
        case "bell-0": .cosineBell(alpha: 0)
        case "bell-polar": .cosineBell(alpha: .pi / 2 - 0.05)
        case "hills": .gaussianHills(strength: strength)
        default: nil
        }
    }

    func run() throws {
        let spacings = resolutions.split(separator: ",").compactMap { Double($0) }
        let reconstructions = schemes.split(separator: ",").compactMap { SubgridReconstruction(rawValue: String($0)) }
        for name in cases.split(separator: ",").map(String.init) {
            guard let testCase = testCase(name) else { continue }
            for reconstruction in reconstructions {
                try runCase(name, testCase, reconstruction, spacings)
            }
        }
    }

    private func runCase(_ name: String, _ testCase: AdvectionTestCase, _ reconstruction: SubgridReconstruction,
                         _ spacings: [Double]) throws {
        var results: [AdvectionTestResult] = []
        for d in spacings {
            let nlat = Int((180 / d).rounded())
            let grid = try TransportGrid(latitudeCount: nlat, longitudeCount: 2 * nlat)
            let result = try AdvectionTestRunner.run(testCase, grid: grid, courant: courant, reconstruction: reconstruction)
            results.append(result)
            if format == "json" { print(json(name, result)) }
        }
        if format == "markdown" { printTable(name, testCase, results) }
    }

    private func json(_ name: String, _ r: AdvectionTestResult) -> String {
        "{\"case\":\"\(name)\",\"scheme\":\"\(r.reconstruction.rawValue)\",\"resolution\":\(r.resolution),"
            + "\"nlat\":\(r.latitudeCount),\"nlon\":\(r.longitudeCount),\"steps\":\(r.steps),\"dt\":\(r.timeStep),"
            + "\"substeps\":\(r.substeps),\"l1\":\(r.norms.l1),\"l2\":\(r.norms.l2),\"linf\":\(r.norms.lInfinity),"
            + "\"min\":\(r.minimum),\"max\":\(r.maximum),\"initial_max\":\(r.initialMaximum),"
            + "\"worst_step_mass_change\":\(r.worstStepTracerMassChange),\"mass_change\":\(r.tracerMassChange),"
            + "\"air_mass_deviation\":\(r.airMassDeviation),\"advection_s\":\(r.advectionSeconds),"
            + "\"flux_s\":\(r.fluxSeconds),\"days_per_s\":\(r.simulatedDaysPerSecond)}"
    }

    private func printTable(_ name: String, _ testCase: AdvectionTestCase, _ results: [AdvectionTestResult]) {
        let res = results.map(\.resolution)
        let o1 = AdvectionTestRunner.orders(results.map(\.norms.l1), resolutions: res)
        let o2 = AdvectionTestRunner.orders(results.map(\.norms.l2), resolutions: res)
        let oi = AdvectionTestRunner.orders(results.map(\.norms.lInfinity), resolutions: res)
        func f(_ x: Double) -> String { String(format: "%.4g", x) }
        func o(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "–" }
        print("\n### \(name): \(testCase) (\(results.first?.reconstruction.rawValue ?? "?"), Courant \(courant))\n")
        print("| resolution | grid | steps (Δt s) | L1 | L2 | L∞ | order L1 | order L2 | order L∞ | min | max/max₀ − 1 | worst-step ΔM/M | air-mass dev. | days/s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for (i, r) in results.enumerated() {
            let sub = r.substeps > r.steps ? " +\(r.substeps - r.steps) sub" : ""
            print("| \(f(r.resolution))° | \(r.latitudeCount)×\(r.longitudeCount) | \(r.steps) (\(Int(r.timeStep.rounded())))\(sub) | "
                + "\(f(r.norms.l1)) | \(f(r.norms.l2)) | \(f(r.norms.lInfinity)) | \(o(o1[i])) | \(o(o2[i])) | \(o(oi[i])) | "
                + "\(String(format: "%.1e", r.minimum)) | \(String(format: "%.1e", r.maximum / r.initialMaximum - 1)) | "
                + "\(String(format: "%.1e", r.worstStepTracerMassChange)) | \(String(format: "%.1e", r.airMassDeviation)) | "
                + "\(String(format: "%.1f", r.simulatedDaysPerSecond)) |")
        }
    }
}
