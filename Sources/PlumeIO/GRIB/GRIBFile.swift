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
    /// Readable fields, in file order: one per message, or several for a GRIB 2 message
    /// that holds several fields (see `GRIBMessage.field`).
    public let messages: [GRIBMessage]
    /// Damaged messages (or fields of them) that were skipped (`PlumeIOError.corruptMessage`).
    public let problems: [PlumeIOError]

    private let mapping: UnsafeMutableRawPointer?
    private let byteCount: Int
    /// Per field, its simple packing when its values can be unpacked without ecCodes.
    private let packings: [GRIBSimplePacking?]
    /// Per field of a multi-field message, where its sections lie; nil for a field that is
    /// its whole message.
    private let layouts: [GRIBFieldLayout?]
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

        // Each field gets an ecCodes handle only while its keys are read: a parsed handle
        // holds ~300 kB, and keeping one per message (47 MB for the 160-message ERA5 sample)
        // costs more in fresh memory than parsing the message again when it is needed.
        let scan = GRIBScanner.scan(bytes)
        enum Entry {
            case damaged(offset: Int, reason: String)
            case message(GRIBScanner.Found)
        }
        let entries = (scan.damaged.map { Entry.damaged(offset: $0.offset, reason: $0.reason) }
            + scan.messages.map { Entry.message($0) }).sorted {
                func offset(_ e: Entry) -> Int {
                    switch e {
                    case .damaged(let o, _): o
                    case .message(let f): f.offset
                    }
                }
                return offset($0) < offset($1)
            }
        var messages: [GRIBMessage] = []
        var packings: [GRIBSimplePacking?] = []
        var layouts: [GRIBFieldLayout?] = []
        var problems: [PlumeIOError] = []
        var firstKeys: [String: String] = [:]
        var firstIndexed = false
        for (i, entry) in entries.enumerated() {
            let index = i + 1
            let f: GRIBScanner.Found
            switch entry {
            case .damaged(let offset, let reason):
                problems.append(.corruptMessage(file: path, index: index, offset: offset, reason: reason))
                continue
            case .message(let found):
                f = found
            }
            // GRIB 2: find every field of the message. A plain single-field message (or a
            // GRIB 1 one, which holds one field) is parsed from the mapped bytes as it is.
            var fields: [GRIBFieldLayout?] = [nil]
            if f.edition == 2 {
                let walk = GRIBFieldLayout.walk(bytes, offset: f.offset, length: f.length)
                if !walk.isPlainSingleField && !walk.fields.isEmpty {
                    fields = walk.fields
                    if let problem = walk.problem {
                        problems.append(.corruptMessage(
                            file: path, index: index, offset: f.offset,
                            reason: "after its \(walk.fields.count) complete field(s), which are read: \(problem)"))
                    }
                }
            }
            for (k, layout) in fields.enumerated() {
                let owned = layout.map { $0.singleFieldMessage(bytes, messageOffset: f.offset) }
                let slice = owned?.buffer ?? UnsafeRawBufferPointer(rebasing: bytes[f.offset..<(f.offset + f.length)])
                let fieldNote = fields.count > 1 ? "field \(k + 1) of \(fields.count): " : ""
                let fail = { (reason: String) in
                    problems.append(.corruptMessage(file: path, index: index, offset: f.offset, reason: fieldNote + reason))
                }
                switch ECCodesHandle.make(slice, owner: owned) {
                case .failure(let e):
                    fail("ecCodes cannot parse it: \(e.message)")
                case .success(let h):
                    switch Self.keys(h, found: f, fieldLength: slice.count, path: path) {
                    case .failure(let error):
                        if case .corruptMessage(_, _, _, let reason) = error { fail(reason) } else { problems.append(error) }
                    case .success(var message):
                        if !firstIndexed {
                            firstIndexed = true
                            for key in ["centre", "centreDescription"] { firstKeys[key] = h.string(key) }
                        }
                        message.index = index
                        message.field = k + 1
                        message.fieldsInMessage = fields.count
                        messages.append(message)
                        packings.append(GRIBSimplePacking.read(h, packingType: message.packingType,
                                                               numberOfPoints: message.grid.numberOfPoints,
                                                               messageLength: slice.count))
                        layouts.append(layout)
                    }
                }
            }
        }
        self.messages = messages
        self.packings = packings
        self.layouts = layouts
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
        if let packing = packings[position], packing.count == n, packing.fitsFloat32 {
            let (bytes, owned) = try fieldBytes(position)
            var unpacked = false
            let values = [Float](unsafeUninitializedCapacity: n) { out, initialised in
                unpacked = packing.unpack(bytes, into: out, order: order)
                if !unpacked { out.initialize(repeating: .nan) }
                initialised = n
            }
            withExtendedLifetime(owned) {}
            if unpacked { return GRIBField(message: message, values: values, geometry: geometry) }
        }
        var values = [Float](repeating: .nan, count: n)
        let precise = try decodeWithECCodes(position, into: &values, order: order)
        return GRIBField(message: message, values: values, geometry: geometry, preciseValues: precise)
    }

    /// Decodes through ecCodes (any packing, bitmaps) into `values`, missing points NaN.
    /// Returns the values in double precision as well (same order) when float32 cannot hold
    /// them without loss (`GRIBPrecision`), else nil.
    @discardableResult
    func decodeWithECCodes(_ position: Int, into values: inout [Float], order: [Int]?) throws -> [Double]? {
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
        guard needsFloat64(handle, packingType: message.packingType) else { return nil }
        var precise = [Double](repeating: .nan, count: n)
        for k in 0..<n where !(hasBitmap && raw[k] == missingSentinel) {
            precise[order?[k] ?? k] = raw[k]
        }
        return precise
    }

    /// Whether `handle`'s message needs float64 (`GRIBPrecision`).
    private func needsFloat64(_ handle: ECCodesHandle, packingType: String) -> Bool {
        // Only the keys this packing has: ecCodes is slow to answer for an absent key.
        let ieee = packingType.hasPrefix("grid_ieee")
        return GRIBPrecision.needsFloat64(
            packingType: packingType, bitsPerValue: ieee ? nil : handle.long("bitsPerValue"),
            binaryScaleFactor: ieee ? nil : handle.long("binaryScaleFactor"),
            decimalScaleFactor: ieee ? nil : handle.long("decimalScaleFactor"),
            referenceValue: ieee ? nil : handle.double("referenceValue"), precision: ieee ? handle.long("precision") : nil)
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

    /// The bytes of the field at `position` as a message of its own: the mapped bytes (no
    /// copy) for a whole message, a rebuilt single-field message (kept alive by the second
    /// element) for a field of a multi-field message.
    private func fieldBytes(_ position: Int) throws -> (UnsafeRawBufferPointer, GRIBOwnedBytes?) {
        let message = messages[position]
        guard let mapping else { throw PlumeIOError.cannotOpen(file: path, reason: "file is not mapped") }
        let whole = UnsafeRawBufferPointer(start: mapping, count: byteCount)
        if let layout = layouts[position] {
            let owned = layout.singleFieldMessage(whole, messageOffset: message.offset)
            return (owned.buffer, owned)
        }
        return (UnsafeRawBufferPointer(rebasing: whole[message.offset..<(message.offset + message.length)]), nil)
    }

    /// A fresh ecCodes handle on `messages[position]`, parsed from the mapped bytes (no copy
    /// for a whole message).
    private func handle(at position: Int) throws -> ECCodesHandle {
        let message = messages[position]
        let (bytes, owned) = try fieldBytes(position)
        switch ECCodesHandle.make(bytes, owner: owned) {
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
        _ h: ECCodesHandle, found: GRIBScanner.Found, fieldLength: Int, path: String
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
        if let bits = h.long("bitsPerValue"), bits > 0, points / 8 * min(bits, 64) > fieldLength * 64 {
            return fail("numberOfPoints \(points) at \(bits) bits per value cannot fit in a \(fieldLength)-byte message")
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
        // ecCodes 2.28 looks time units up in a 16-entry table without a bounds check (a
        // damaged unit code can divide by zero and kill the process): check them first.
        // (Asking for an absent key costs ecCodes microseconds: the statistical period's
        // unit only of the templates that have one.)
        var unitKeys = found.edition == 1 ? ["unitOfTimeRange"] : ["indicatorOfUnitOfTimeRange"]
        if found.edition == 2, let template = h.rawLong("productDefinitionTemplateNumber"),
           GRIBParameterCache.templateGroups[template]?.contains(.statistical) ?? true {
            unitKeys.append("indicatorOfUnitForTimeRange")
        }
        for key in unitKeys {
            if let unit = h.rawLong(key), !(0...15).contains(unit), unit != 254, !(found.edition == 2 && unit == 255) {
                return fail("\(key) is \(unit) (expected a time unit of code table \(found.edition == 1 ? "4" : "4.4"): 0 to 15 or 254)")
            }
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
        let surfaces = GRIBSurfaces.read(h, edition: found.edition)
        var message = GRIBMessage(
            index: 0, offset: found.offset, length: found.length, edition: found.edition,
            shortName: parameter.shortName, paramId: parameter.paramId,
            name: parameter.name, units: parameter.units, cfName: parameter.cfName,
            typeOfLevel: stepAndLevel.typeOfLevel, level: h.double("level") ?? 0,
            dataDate: h.long("dataDate") ?? 0, dataTime: h.long("dataTime") ?? 0,
            stepHours: Double(stepAndLevel.endStep ?? 0) * unitHours, stepRange: stepAndLevel.stepRange,
            stepType: stepType, number: h.long("number"),
            dataType: h.string("dataType") ?? "unknown", packingType: h.string("packingType") ?? "unknown",
            grid: grid)
        message.surfaceTypes = surfaces.types
        message.bottomLevel = surfaces.bottom
        return .success(message)
    }
}
