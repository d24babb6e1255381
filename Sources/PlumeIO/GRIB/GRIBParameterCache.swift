import Synchronization

/// The names ecCodes gives a message's parameter (paramId, shortName, name, units,
/// cfName), remembered for the whole process.
///
/// ecCodes derives each of them by matching a concept table against the message's keys,
/// ~0.2 ms per key and message (ecCodes 2.28): five times more than parsing the message.
/// The match depends only on the keys that the concept tables test (and on ecCodes'
/// definitions, fixed for the process), so the names are evaluated once per distinct
/// combination of those keys and shared by every file read: a series of files of the same
/// parameters pays for them once.
///
/// The keys asked are every key that a condition of the 2.28 concept tables
/// (`paramId.def`, `shortName.def`, `name.def`, `units.def`, `cfName.def`, master and
/// local) tests, for the message's edition; for GRIB 2 those that only some product
/// definition templates hold are asked only of those templates (asking ecCodes for an
/// absent key costs several microseconds), and all of them for a template 2.28 does not know.
enum GRIBParameterCache {
    struct Parameter: Sendable {
        var shortName: String
        var paramId: Int
        var name: String
        var units: String
        var cfName: String?
    }

    /// GRIB 1: the keys the concept tables test (`localElementNumber` only in the tables
    /// of DWD, centres 78 and 80, which are the only ones asked for it).
    static let edition1Keys = [
        "centre", "subCentre", "table2Version", "indicatorOfParameter", "indicatorOfTypeOfLevel", "level",
        "topLevel", "bottomLevel", "timeRangeIndicator",
    ]
    static let dwdCentres: Set<Int> = [78, 80]

    /// GRIB 2: keys every product definition template holds (or that sections 0, 1, 3 and
    /// 5 hold), and the groups some templates add.
    static let edition2Keys = [
        "centre", "subCentre", "productionStatusOfProcessedData", "localTablesVersion", "tablesVersion",
        "discipline", "parameterCategory", "parameterNumber", "productDefinitionTemplateNumber",
        "typeOfGeneratingProcess", "typeOfFirstFixedSurface", "scaleFactorOfFirstFixedSurface",
        "scaledValueOfFirstFixedSurface", "typeOfSecondFixedSurface", "scaleFactorOfSecondFixedSurface",
        "scaledValueOfSecondFixedSurface", "level", "topLevel", "bottomLevel", "gridDefinitionTemplateNumber",
        "unitsFactor",
    ]
    private static let productTemplatePosition = edition2Keys.firstIndex(of: "productDefinitionTemplateNumber") ?? 0
    private static let gridTemplatePosition = edition2Keys.firstIndex(of: "gridDefinitionTemplateNumber") ?? 0

    struct Groups: OptionSet {
        let rawValue: Int
        static let statistical = Groups(rawValue: 1 << 0)
        static let probability = Groups(rawValue: 1 << 1)
        static let limits = Groups(rawValue: 1 << 2)
        static let satellite = Groups(rawValue: 1 << 3)
        static let constituent = Groups(rawValue: 1 << 4)
        static let aerosolSize = Groups(rawValue: 1 << 5)
        static let wavelength = Groups(rawValue: 1 << 6)
        static let distribution = Groups(rawValue: 1 << 7)
        static let source = Groups(rawValue: 1 << 8)
        static let all = Groups(rawValue: (1 << 9) - 1)

        /// Integer keys of each group; the satellite group's are arrays (one per band).
        var keys: [String] {
            var k: [String] = []
            if contains(.statistical) { k += ["typeOfStatisticalProcessing", "lengthOfTimeRange", "indicatorOfUnitForTimeRange"] }
            if contains(.probability) { k += ["probabilityType"] }
            if contains(.probability) || contains(.limits) {
                k += ["scaleFactorOfLowerLimit", "scaledValueOfLowerLimit", "scaleFactorOfUpperLimit", "scaledValueOfUpperLimit"]
            }
            if contains(.constituent) { k += ["constituentType"] }
            if contains(.aerosolSize) {
                k += ["aerosolType", "typeOfSizeInterval", "scaleFactorOfFirstSize", "scaledValueOfFirstSize",
                      "scaleFactorOfSecondSize", "scaledValueOfSecondSize"]
            }
            if contains(.wavelength) {
                k += ["typeOfWavelengthInterval", "scaleFactorOfFirstWavelength", "scaledValueOfFirstWavelength",
                      "scaleFactorOfSecondWavelength", "scaledValueOfSecondWavelength"]
            }
            if contains(.distribution) { k += ["typeOfDistributionFunction", "modeNumber"] }
            if contains(.source) { k += ["sourceSinkChemicalPhysicalProcess"] }
            return k
        }
        static let satelliteKeys = ["satelliteSeries", "satelliteNumber", "instrumentType", "scaledValueOfCentralWaveNumber"]
    }

    /// The groups each product definition template of ecCodes 2.28 holds (templates
    /// absent here hold none of them); a template 2.28 does not know gets all groups.
    static let templateGroups: [Int: Groups] = {
        var t: [Int: Groups] = [:]
        for p in [0, 1, 2, 3, 4, 6, 7, 15, 20, 53, 54, 55, 56, 59, 60, 70, 71, 86, 88, 92, 93, 94, 254, 1000, 1002, 1100, 2000] {
            t[p] = []
        }
        t[1002] = [.statistical]  // typeOfStatisticalProcessing only; the others read as absent
        for p in [8, 10, 11, 12, 13, 14, 61, 72, 73, 87, 95, 96, 97, 98, 1001, 1101] { t[p] = [.statistical] }
        t[5] = [.probability]
        t[9] = [.statistical, .probability]
        t[51] = [.limits]
        t[91] = [.statistical, .limits]
        for p in [30, 31, 32, 33, 35, 311, 40033] { t[p] = [.satellite] }
        for p in [34, 40034] { t[p] = [.statistical, .satellite] }
        t[40] = [.constituent]; t[41] = [.constituent]
        t[42] = [.statistical, .constituent]; t[43] = [.statistical, .constituent]
        t[44] = [.constituent, .aerosolSize]; t[45] = [.constituent, .aerosolSize]
        for p in [46, 47, 85] { t[p] = [.statistical, .constituent, .aerosolSize] }
        t[48] = [.constituent, .aerosolSize, .wavelength]; t[49] = [.constituent, .aerosolSize, .wavelength]
        t[57] = [.constituent, .distribution]; t[58] = [.constituent, .distribution]
        t[67] = [.statistical, .constituent, .distribution]; t[68] = [.statistical, .constituent, .distribution]
        t[76] = [.constituent, .source]; t[77] = [.constituent, .source]
        t[78] = [.statistical, .constituent, .source]; t[79] = [.statistical, .constituent, .source]
        t[80] = [.constituent, .aerosolSize, .wavelength, .source]; t[81] = [.constituent, .aerosolSize, .wavelength, .source]
        for p in [82, 83, 84] { t[p] = [.statistical, .constituent, .aerosolSize, .source] }
        return t
    }()

    /// Parameters by the keys above, for the whole process. Bounded: a file of many
    /// thousand distinct parameters (or levels) starts it afresh rather than grow it.
    private static let known = Mutex<[[Int]: Parameter]>([:])
    static let capacity = 4096

    static func forgetAll() {
        known.withLock { $0.removeAll() }
    }

    /// The values of the keys the concept tables test as stored (missing ones as their
    /// all-ones code), absent keys as `Int.min`; strings (`stepType`, `datasetForLocal`) as
    /// their length followed by their bytes.
    static func identity(_ h: ECCodesHandle, edition: Int, stepType: String) -> [Int] {
        var key = [edition]
        func append(_ text: String) {
            key.append(text.utf8.count)
            key += text.utf8.map(Int.init)
        }
        append(stepType)
        if edition == 1 {
            key.reserveCapacity(edition1Keys.count + 16)
            let first = key.count
            for name in edition1Keys { key.append(h.rawLong(name) ?? Int.min) }
            if dwdCentres.contains(key[first]) {  // centre
                key.append(h.rawLong("localElementNumber") ?? Int.min)
            }
            return key
        }
        key.reserveCapacity(edition2Keys.count + 32)
        let first = key.count
        for name in edition2Keys { key.append(h.rawLong(name) ?? Int.min) }
        let template = key[first + productTemplatePosition], gridTemplate = key[first + gridTemplatePosition]
        append(h.string("datasetForLocal") ?? "")
        let groups = templateGroups[template] ?? .all
        for name in groups.keys { key.append(h.rawLong(name) ?? Int.min) }
        if groups.contains(.satellite) {
            for name in Groups.satelliteKeys {
                let values = h.longs(name) ?? []
                key.append(values.count)
                key += values
            }
        }
        if gridTemplate == 101 {
            key.append(h.rawLong("numberOfGridInReference") ?? Int.min)
        }
        return key
    }

    static func parameter(_ h: ECCodesHandle, edition: Int, stepType: String) -> Parameter {
        let key = identity(h, edition: edition, stepType: stepType)
        if let p = known.withLock({ $0[key] }) { return p }
        let cfName = h.string("cfName").flatMap { $0 == "unknown" || $0.isEmpty ? nil : $0 }
        let p = Parameter(shortName: h.string("shortName") ?? "unknown", paramId: h.long("paramId") ?? 0,
                          name: h.string("name") ?? "unknown", units: h.string("units") ?? "unknown", cfName: cfName)
        known.withLock {
            if $0.count >= capacity { $0.removeAll() }
            $0[key] = p
        }
        return p
    }
}

/// The step and level keys of a GRIB 1 message (stepType, typeOfLevel, stepRange,
/// endStep), remembered for the process like the parameter names.
///
/// ecCodes computes them from a few octets of section 1, through concept tables and its
/// step-range accessor: ~15 µs a message (ecCodes 2.28), more than all other keys Plume
/// reads together. In GRIB 1 they depend only on the keys in `determinants` (the
/// `stepType` and `typeOfLevel` tables, master and local, test `centre`, `table2Version`,
/// `indicatorOfParameter`, `timeRangeIndicator`, `indicatorOfTypeOfLevel` and `level`;
/// `stepRange` is `g1step_range(P1, P2, timeRangeIndicator, unitOfTimeRange, stepUnits,
/// stepType)`, `endStep` its end), which cost ~0.1 µs each to read. GRIB 2 messages, whose
/// end step can depend on the end date of the statistical interval, are read directly.
enum GRIBEdition1StepAndLevel {

    static let determinants = [
        "centre", "subCentre", "table2Version", "indicatorOfParameter", "indicatorOfTypeOfLevel", "level",
        "timeRangeIndicator", "P1", "P2", "unitOfTimeRange", "stepUnits",
    ]

    private static let known = Mutex<[[Int]: GRIBStepAndLevel]>([:])

    static func forgetAll() {
        known.withLock { $0.removeAll() }
    }

    /// The keys of the GRIB 1 message behind `h`, read through ecCodes the first time
    /// their determinants are seen.
    static func keys(_ h: ECCodesHandle) -> GRIBStepAndLevel {
        let key = determinants.map { h.rawLong($0) ?? Int.min }
        if let k = known.withLock({ $0[key] }) { return k }
        let k = GRIBStepAndLevel.read(h)
        known.withLock {
            if $0.count >= GRIBParameterCache.capacity { $0.removeAll() }
            $0[key] = k
        }
        return k
    }
}

/// The step and level keys of a message as ecCodes gives them.
struct GRIBStepAndLevel: Sendable, Equatable {
    var stepType: String
    var typeOfLevel: String
    var stepRange: String
    var endStep: Int?

    static func read(_ h: ECCodesHandle) -> GRIBStepAndLevel {
        GRIBStepAndLevel(stepType: h.string("stepType") ?? "instant", typeOfLevel: h.string("typeOfLevel") ?? "unknown",
                         stepRange: h.string("stepRange") ?? "0", endStep: h.long("endStep"))
    }
}
