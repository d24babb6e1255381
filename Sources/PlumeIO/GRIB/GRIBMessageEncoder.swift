import CEccodes

/// Builds one GRIB 2 message with ecCodes: a handle from the `regular_ll_sfc_grib2` or
/// `regular_gg_sfc_grib2` sample, its keys set in an order where later keys do not undo
/// earlier ones, the values encoded, the result checked, and the message bytes copied out.
///
/// The whole message is built under `ecCodesLock`, with ecCodes' log captured (see
/// `ECCodesHandle`), so that a refusal comes back with what ecCodes said.
enum GRIBMessageEncoder {
    /// Everything a message needs, already checked by `GRIBWriter`.
    struct Request {
        var parameter: GRIBOutputField.Parameter
        var level: GRIBOutputField.Level?
        var dataDate: Int
        var dataTime: Int
        var second: Int
        /// ecCodes `stepUnits` (1: hours, 0: minutes) and the step in those units.
        var stepUnits: Int
        var step: Int
        var number: Int?
        var ensembleSize: Int?
        var grid: GRIBGridKeys
        var packing: GRIBPacking
        var additionalKeys: [GRIBKeySetting]
        /// The value standing for missing points in `values` (bitmap written), or nil for no bitmap.
        var missingValue: Double?
    }

    /// The encoded message, or what ecCodes (or the check after encoding) said.
    static func encode(_ request: Request, values: [Double]) -> Result<[UInt8], ECCodesFailure> {
        _ = ecCodesConfigured
        return ecCodesLock.withLock { _ in
            ecCodesLog.withLock { $0.removeAll() }
            let sample = request.grid.gridType == "regular_gg" ? "regular_gg_sfc_grib2" : "regular_ll_sfc_grib2"
            guard let h = codes_grib_handle_new_from_samples(nil, sample) else {
                return .failure(ECCodesFailure(message: "cannot load the ecCodes sample '\(sample)'" + (drainLog().map { ": \($0)" } ?? "")))
            }
            defer { codes_handle_delete(h) }
            do throws(ECCodesFailure) {
                try build(Keys(handle: h), request, values)
                var pointer: UnsafeRawPointer?
                var size = 0
                let status = codes_get_message(h, &pointer, &size)
                guard status == 0, let pointer, size > 0 else { throw Keys.failure(status, "cannot get the encoded message") }
                if let logged = drainLog() { throw ECCodesFailure(message: logged) }
                return .success(Array(UnsafeRawBufferPointer(start: pointer, count: size)))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Sets the keys and values, then checks what ecCodes made of them. Called under `ecCodesLock`.
    private static func build(_ k: Keys, _ r: Request, _ values: [Double]) throws(ECCodesFailure) {
        for setting in r.additionalKeys {
            switch setting.value {
            case .long(let v): try k.set(setting.key, v)
            case .double(let v): try k.set(setting.key, v)
            case .string(let v): try k.set(setting.key, v)
            }
        }
        if r.number != nil { try k.set("productDefinitionTemplateNumber", 1) }

        // Level before parameter: a parameter tied to a level (msl, 2t) then sets its own,
        // which the check below reports when it differs from the level asked for.
        try k.set("typeOfLevel", r.level?.typeOfLevel ?? "surface")
        if let level = r.level { try k.set("level", Int(level.value)) }
        switch r.parameter {
        case .shortName(let s): try k.set("shortName", s)
        case .paramId(let id): try k.set("paramId", id)
        case .code(let d, let c, let n):
            try k.set("discipline", d)
            try k.set("parameterCategory", c)
            try k.set("parameterNumber", n)
        }

        try k.set("dataDate", r.dataDate)
        try k.set("dataTime", r.dataTime)
        if r.second != 0 { try k.set("second", r.second) }
        try k.set("stepUnits", r.stepUnits)
        try k.set("step", r.step)
        if let number = r.number {
            try k.set("number", number)
            if let size = r.ensembleSize { try k.set("numberOfForecastsInEnsemble", size) }
        }

        let g = r.grid
        try k.set("Ni", g.ni)
        try k.set("Nj", g.nj)
        try k.set("numberOfDataPoints", g.ni * g.nj)
        if let n = g.n { try k.set("N", n) }
        try k.set("iScansNegatively", g.iScansNegatively ? 1 : 0)
        try k.set("jScansPositively", g.jScansPositively ? 1 : 0)
        try k.set("jPointsAreConsecutive", 0)
        try k.set("alternativeRowScanning", 0)
        try k.set("latitudeOfFirstGridPointInDegrees", g.latitudeOfFirst)
        try k.set("longitudeOfFirstGridPointInDegrees", g.longitudeOfFirst)
        try k.set("latitudeOfLastGridPointInDegrees", g.latitudeOfLast)
        try k.set("longitudeOfLastGridPointInDegrees", g.longitudeOfLast)
        if let di = g.iIncrement {
            try k.set("iDirectionIncrementGiven", 1)
            try k.set("iDirectionIncrementInDegrees", di)
        } else {
            try k.set("iDirectionIncrementGiven", 0)
        }
        if g.n == nil {
            if let dj = g.jIncrement {
                try k.set("jDirectionIncrementGiven", 1)
                try k.set("jDirectionIncrementInDegrees", dj)
            } else {
                try k.set("jDirectionIncrementGiven", 0)
            }
        }

        try k.set("packingType", r.packing.method.rawValue)
        try k.set("bitsPerValue", r.packing.bitsPerValue)
        try k.set("decimalScaleFactor", 0)
        if let missing = r.missingValue {
            try k.set("bitmapPresent", 1)
            try k.set("missingValue", missing)
        } else {
            try k.set("bitmapPresent", 0)
        }
        try k.set("values", values)

        // What ecCodes made of it.
        let points = try k.long("numberOfPoints")
        guard points == g.ni * g.nj else {
            throw ECCodesFailure(message: "the message has \(points) grid points, expected \(g.ni) × \(g.nj) = \(g.ni * g.nj)")
        }
        switch r.parameter {
        case .shortName(let s):
            let written = try k.string("shortName")
            guard written == s else {
                throw ECCodesFailure(message: "ecCodes encodes shortName '\(s)' on \(try k.string("typeOfLevel")) as '\(written)' (expected '\(s)': check the parameter and level)")
            }
        case .paramId(let id):
            let written = try k.long("paramId")
            guard written == id else {
                throw ECCodesFailure(message: "ecCodes encodes paramId \(id) on \(try k.string("typeOfLevel")) as paramId \(written) (expected \(id): check the parameter and level)")
            }
        case .code:
            break
        }
        if let level = r.level {
            let type = try k.string("typeOfLevel")
            let value = try k.long("level")
            guard type == level.typeOfLevel, value == Int(level.value) else {
                throw ECCodesFailure(message: "the message's level is \(type) \(value), expected \(level) (the parameter \(r.parameter) may imply its own level)")
            }
        }
    }

    private static func drainLog() -> String? {
        let lines = ecCodesLog.withLock { log -> [String] in
            defer { log.removeAll() }
            return log
        }
        return lines.isEmpty ? nil : lines.joined(separator: "; ")
    }

    /// Typed setters and getters on a handle, each failure naming the key and value.
    private struct Keys {
        let handle: OpaquePointer

        static func failure(_ status: Int32, _ what: String) -> ECCodesFailure {
            let text = String(cString: codes_get_error_message(status))
            return ECCodesFailure(message: "\(what): \(text)" + (drainLog().map { " (\($0))" } ?? ""))
        }

        func set(_ key: String, _ value: Int) throws(ECCodesFailure) {
            let status = codes_set_long(handle, key, value)
            guard status == 0 else { throw Self.failure(status, "cannot set \(key) = \(value)") }
        }

        func set(_ key: String, _ value: Double) throws(ECCodesFailure) {
            let status = codes_set_double(handle, key, value)
            guard status == 0 else { throw Self.failure(status, "cannot set \(key) = \(value)") }
        }

        func set(_ key: String, _ value: String) throws(ECCodesFailure) {
            var length = value.utf8.count
            let status = codes_set_string(handle, key, value, &length)
            guard status == 0 else { throw Self.failure(status, "cannot set \(key) = '\(value)'") }
        }

        func set(_ key: String, _ values: [Double]) throws(ECCodesFailure) {
            let status = values.withUnsafeBufferPointer { codes_set_double_array(handle, key, $0.baseAddress, $0.count) }
            guard status == 0 else { throw Self.failure(status, "cannot encode \(values.count) \(key)") }
        }

        func long(_ key: String) throws(ECCodesFailure) -> Int {
            var value = 0
            let status = codes_get_long(handle, key, &value)
            guard status == 0 else { throw Self.failure(status, "cannot read back \(key)") }
            return value
        }

        func string(_ key: String) throws(ECCodesFailure) -> String {
            var length = 0
            var status = codes_get_length(handle, key, &length)
            guard status == 0 else { throw Self.failure(status, "cannot read back \(key)") }
            var buffer = [CChar](repeating: 0, count: max(length, 1) + 1)
            status = codes_get_string(handle, key, &buffer, &length)
            guard status == 0 else { throw Self.failure(status, "cannot read back \(key)") }
            return String(nulTerminated: buffer)
        }
    }
}
