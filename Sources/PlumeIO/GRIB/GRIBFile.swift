import Foundation

/// A GRIB 1 or GRIB 2 file read through ecCodes.
///
/// Opening maps the file, finds every message and reads its keys (no values are decoded);
/// damaged messages are skipped and listed in `problems`, each naming its index and
/// offset. `decode(_:)` decodes chosen messages; `dataset()` assembles all of them into
/// Plume's data model, one variable per parameter with dimensions among
/// (number, time, step, level, latitude, longitude).
public final class GRIBFile {
    public let path: String
    /// Readable messages, in file order.
    public let messages: [GRIBMessage]
    /// Damaged messages that were skipped (`PlumeIOError.corruptMessage`).
    public let problems: [PlumeIOError]

    private let mapping: UnsafeMutableRawPointer?
    private let byteCount: Int
    /// Per message, its simple packing when its values can be unpacked without ecCodes.
    private let packings: [GRIBSimplePacking?]
    /// `centre` and `centreDescription` of the first message, read while indexing.
    private let firstMessageKeys: [String: String]
    private var geometries: [GRIBGridDefinition: GRIBGeometry] = [:]

    /// Opens `path` and indexes its messages. Throws when the file cannot be read or holds
    /// no readable GRIB message at all.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw PlumeIOError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw PlumeIOError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw PlumeIOError.cannotOpen(file: path, reason: "not a regular file") }
        byteCount = Int(info.st_size)
        guard byteCount > 0 else {
            throw PlumeIOError.unrecognisedFormat(file: path, expected: "GRIB messages", found: "an empty file")
        }
        guard let m = mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw PlumeIOError.cannotOpen(file: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        mapping = m
        let bytes = UnsafeRawBufferPointer(start: m, count: byteCount)

        // Each message gets an ecCodes handle only while its keys are read: a parsed handle
        // holds ~300 kB, and keeping one per message (47 MB for the 160-message ERA5 sample)
        // costs more in fresh memory than parsing the message again when it is needed.
        let scan = GRIBScanner.scan(bytes)
        var all: [(offset: Int, item: Result<(GRIBMessage, GRIBSimplePacking?), PlumeIOError>)] = []
        var firstKeys: [String: String] = [:]
        var firstIndexed = false
        for d in scan.damaged {
            all.append((d.offset, .failure(.corruptMessage(file: path, index: 0, offset: d.offset, reason: d.reason))))
        }
        for f in scan.messages {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[f.offset..<(f.offset + f.length)])
            switch ECCodesHandle.make(slice) {
            case .failure(let e):
                all.append((f.offset, .failure(.corruptMessage(file: path, index: 0, offset: f.offset, reason: "ecCodes cannot parse it: \(e.message)"))))
            case .success(let h):
                let keys = Self.keys(h, found: f, path: path)
                if !firstIndexed, case .success = keys {
                    firstIndexed = true
                    for key in ["centre", "centreDescription"] { firstKeys[key] = h.string(key) }
                }
                all.append((f.offset, keys.map { message in
                    (message, GRIBSimplePacking.read(h, packingType: message.packingType, numberOfPoints: message.grid.numberOfPoints,
                                                  messageLength: f.length))
                }))
            }
        }
        all.sort { $0.offset < $1.offset }
        var messages: [GRIBMessage] = []
        var packings: [GRIBSimplePacking?] = []
        var problems: [PlumeIOError] = []
        for (i, entry) in all.enumerated() {
            switch entry.item {
            case .success(let (message, packing)):
                var message = message
                message.index = i + 1
                messages.append(message)
                packings.append(packing)
            case .failure(let error):
                if case .corruptMessage(let file, _, let offset, let reason) = error {
                    problems.append(.corruptMessage(file: file, index: i + 1, offset: offset, reason: reason))
                } else {
                    problems.append(error)
                }
            }
        }
        self.messages = messages
        self.packings = packings
        self.firstMessageKeys = firstKeys
        self.problems = problems
        if messages.isEmpty {
            let head = bytes.prefix(8).map { $0 >= 32 && $0 < 127 ? String(UnicodeScalar($0)) : "." }.joined()
            munmap(m, byteCount)
            let found = problems.first.map { "no complete message (\($0))" }
                ?? "none in \(byteCount) bytes (file starts with \"\(head)\")"
            throw PlumeIOError.unrecognisedFormat(file: path, expected: "GRIB messages (a 'GRIB' indicator)", found: found)
        }
    }

    deinit {
        if let mapping, !messages.isEmpty { munmap(mapping, byteCount) }
    }

    /// Decodes the values of `messages[position]` into grid order, with its geometry.
    public func decode(_ position: Int) throws -> GRIBField {
        guard messages.indices.contains(position) else {
            throw PlumeIOError.invalidRequest(file: path, variable: "message", reason: "no message at position \(position) (file has \(messages.count))")
        }
        let message = messages[position]
        let geometry = try geometry(at: position)
        let n = message.grid.numberOfPoints
        let order = geometry.gridIndexOfDataPoint
        // Simple packing without bitmap writes every point (`count == numberOfPoints`,
        // `order` a permutation of the points), so its array is not filled beforehand.
        if let packing = packings[position], let mapping, packing.count == n {
            let bytes = UnsafeRawBufferPointer(start: mapping + message.offset, count: message.length)
            var unpacked = false
            let values = [Float](unsafeUninitializedCapacity: n) { out, initialised in
                unpacked = packing.unpack(bytes, into: out, order: order)
                if !unpacked { out.initialize(repeating: .nan) }
                initialised = n
            }
            if unpacked { return GRIBField(message: message, values: values, geometry: geometry) }
        }
        var values = [Float](repeating: .nan, count: n)
        try decodeWithECCodes(position, into: &values, order: order)
        return GRIBField(message: message, values: values, geometry: geometry)
    }

    /// Decodes through ecCodes (any packing, bitmaps) into `values`, missing points NaN.
    func decodeWithECCodes(_ position: Int, into values: inout [Float], order: [Int]?) throws {
        let message = messages[position]
        let fail = { (reason: String) in
            PlumeIOError.corruptMessage(file: self.path, index: message.index, offset: message.offset, reason: reason)
        }
        let handle = try handle(at: position)
        let n = message.grid.numberOfPoints
        let missingSentinel = Double(Float.greatestFiniteMagnitude)
        let hasBitmap = (handle.long("bitmapPresent") ?? 0) == 1
        if hasBitmap { _ = handle.set("missingValue", missingSentinel) }
        let raw: [Double]
        switch handle.doubles("values", expectedCount: n) {
        case .success(let v): raw = v
        case .failure(let f): throw fail("cannot decode values: \(f.message)")
        }
        values.withUnsafeMutableBufferPointer { out in
            raw.withUnsafeBufferPointer { input in
                if let order {
                    for k in 0..<n {
                        let v = input[k]
                        out[order[k]] = (hasBitmap && v == missingSentinel) ? .nan : Float(v)
                    }
                } else {
                    for k in 0..<n {
                        let v = input[k]
                        out[k] = (hasBitmap && v == missingSentinel) ? .nan : Float(v)
                    }
                }
            }
        }
    }

    /// The vertical-coordinate parameters (`pv`) of `messages[position]` as ecCodes decodes
    /// them — for hybrid levels the half-level A (Pa) then B, top first — or an empty array
    /// when the message has none.
    public func verticalCoordinateParameters(_ position: Int) throws -> [Double] {
        guard messages.indices.contains(position) else {
            throw PlumeIOError.invalidRequest(file: path, variable: "pv", reason: "message position \(position) outside 0..<\(messages.count)")
        }
        return try handle(at: position).doubleArray("pv") ?? []
    }

    /// A fresh ecCodes handle on `messages[position]`, parsed from the mapped bytes (no copy).
    private func handle(at position: Int) throws -> ECCodesHandle {
        let message = messages[position]
        guard let mapping else { throw PlumeIOError.cannotOpen(file: path, reason: "file is not mapped") }
        let bytes = UnsafeRawBufferPointer(start: mapping + message.offset, count: message.length)
        switch ECCodesHandle.make(bytes) {
        case .success(let h): return h
        case .failure(let e):
            throw PlumeIOError.corruptMessage(file: path, index: message.index, offset: message.offset, reason: "ecCodes cannot parse it: \(e.message)")
        }
    }

    /// Assembles every readable message into one dataset with values (see `GRIBAssembler`).
    public func dataset() throws -> Dataset {
        try GRIBAssembler.assemble(self)
    }

    /// The geometry of the grid of `messages[position]`, computed once per distinct grid.
    func geometry(at position: Int) throws -> GRIBGeometry {
        let message = messages[position]
        if let g = geometries[message.grid] { return g }
        var parseError: PlumeIOError?
        do throws(GRIBGeometry.GeometryError) {
            let g = try GRIBGeometry.make(message.grid) {
                do {
                    return try handle(at: position).geoIterate(expectedCount: message.grid.numberOfPoints)
                } catch {
                    parseError = error as? PlumeIOError
                    return .failure(ECCodesFailure(message: "\(error)"))
                }
            }
            geometries[message.grid] = g
            return g
        } catch {
            if let parseError { throw parseError }
            throw PlumeIOError.corruptMessage(file: path, index: message.index, offset: message.offset, reason: error.message)
        }
    }

    /// Extra string keys of the first message (`centre` and `centreDescription`, read while
    /// indexing) for global attributes.
    func firstMessageKey(_ key: String) -> String? {
        firstMessageKeys[key]
    }

    /// Forgets what reading GRIB files remembers for the whole process (parameter names
    /// from ecCodes' concept tables, `GRIBParameterCache`; GRIB 1 step and level keys,
    /// `GRIBEdition1StepAndLevel`; Gaussian latitudes), so that the next file pays for them
    /// again: for benchmarks that time a first read.
    public static func forgetProcessCaches() {
        GRIBParameterCache.forgetAll()
        GRIBEdition1StepAndLevel.forgetAll()
        forgetGaussianLatitudes()
    }

    /// The keys of a Lambert conformal grid on a spherical earth; nil when a key is missing
    /// or the earth is oblate (the geometry then comes from ecCodes' geo-iterator).
    private static func lambertProjection(_ h: ECCodesHandle, edition: Int) -> GRIBLambertConformal? {
        let radius: Double?
        if edition == 1 {
            // GRIB 1: resolution flag bit 2; spherical means ecCodes' radius 6367470 m.
            radius = (h.long("earthIsOblate") ?? 0) == 0 ? 6_367_470 : nil
        } else if let shape = h.long("shapeOfTheEarth") {
            radius = GRIBLambertConformal.sphericalRadius(
                shapeOfTheEarth: shape,
                scaleFactor: shape == 1 ? h.long("scaleFactorOfRadiusOfSphericalEarth") : nil,
                scaledValue: shape == 1 ? h.long("scaledValueOfRadiusOfSphericalEarth") : nil)
        } else {
            radius = nil
        }
        guard let radius, let nx = h.long("Nx"), let ny = h.long("Ny"),
              let lat1 = h.double("latitudeOfFirstGridPointInDegrees"), let lon1 = h.double("longitudeOfFirstGridPointInDegrees"),
              let lad = h.double("LaDInDegrees"), let lov = h.double("LoVInDegrees"),
              let latin1 = h.double("Latin1InDegrees"), let latin2 = h.double("Latin2InDegrees"),
              let dx = h.double("DxInMetres"), let dy = h.double("DyInMetres")
        else { return nil }
        return GRIBLambertConformal(
            nx: nx, ny: ny, latitudeOfFirstPoint: lat1, longitudeOfFirstPoint: lon1, latitudeOfTrueScale: lad,
            orientation: lov, latin1: latin1, latin2: latin2, dx: dx, dy: dy, earthRadius: radius)
    }

    private static func keys(
        _ h: ECCodesHandle, found: GRIBScanner.Found, path: String
    ) -> Result<GRIBMessage, PlumeIOError> {
        let fail = { (reason: String) -> Result<GRIBMessage, PlumeIOError> in
            .failure(.corruptMessage(file: path, index: 0, offset: found.offset, reason: reason))
        }
        guard let points = h.long("numberOfPoints"), points > 0, points < 1 << 31 else {
            return fail("numberOfPoints is missing or not positive (expected the number of grid points)")
        }
        guard let gridType = h.string("gridType") else { return fail("gridType is missing") }
        // A damaged header can claim far more points than the message could hold; refuse
        // before anything is allocated for them (64× leaves room for CCSDS/JPEG packing).
        if let bits = h.long("bitsPerValue"), bits > 0, points / 8 * min(bits, 64) > found.length * 64 {
            return fail("numberOfPoints \(points) at \(bits) bits per value cannot fit in a \(found.length)-byte message")
        }
        let unitHours: Double
        switch h.long("stepUnits") ?? 1 {
        case 0: unitHours = 1.0 / 60
        case 1: unitHours = 1
        case 2: unitHours = 24
        case 10: unitHours = 3
        case 11: unitHours = 6
        case 12: unitHours = 12
        case 13, 254: unitHours = 1.0 / 3600
        default: unitHours = .nan
        }
        let stepAndLevel = found.edition == 1 ? GRIBEdition1StepAndLevel.keys(h) : GRIBStepAndLevel.read(h)
        let stepType = stepAndLevel.stepType
        let parameter = GRIBParameterCache.parameter(h, edition: found.edition, stepType: stepType)
        let grid = GRIBGridDefinition(
            gridType: gridType, numberOfPoints: points,
            ni: h.long("Ni"), nj: h.long("Nj"), gaussianN: gridType.hasSuffix("_gg") ? h.long("N") : nil,
            pl: gridType.hasPrefix("reduced") ? h.longs("pl") : nil,
            latitudeOfFirstPoint: h.double("latitudeOfFirstGridPointInDegrees"),
            longitudeOfFirstPoint: h.double("longitudeOfFirstGridPointInDegrees"),
            latitudeOfLastPoint: h.double("latitudeOfLastGridPointInDegrees"),
            longitudeOfLastPoint: h.double("longitudeOfLastGridPointInDegrees"),
            iScansNegatively: (h.long("iScansNegatively") ?? 0) == 1,
            jScansPositively: (h.long("jScansPositively") ?? 0) == 1,
            jPointsAreConsecutive: (h.long("jPointsAreConsecutive") ?? 0) == 1,
            alternativeRowScanning: (h.long("alternativeRowScanning") ?? 0) == 1,
            lambert: gridType == "lambert" ? lambertProjection(h, edition: found.edition) : nil)
        let message = GRIBMessage(
            index: 0, offset: found.offset, length: found.length, edition: found.edition,
            shortName: parameter.shortName, paramId: parameter.paramId,
            name: parameter.name, units: parameter.units, cfName: parameter.cfName,
            typeOfLevel: stepAndLevel.typeOfLevel, level: h.double("level") ?? 0,
            dataDate: h.long("dataDate") ?? 0, dataTime: h.long("dataTime") ?? 0,
            stepHours: Double(stepAndLevel.endStep ?? 0) * unitHours, stepRange: stepAndLevel.stepRange,
            stepType: stepType, number: h.long("number"),
            dataType: h.string("dataType") ?? "unknown", packingType: h.string("packingType") ?? "unknown",
            grid: grid)
        return .success(message)
    }
}
