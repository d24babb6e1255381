import Foundation
import PlumeIO
import Testing
@testable import PlumeAssimilation

/// SYNOP and TEMP reports of pdbufr's sample files read into the observation table, against
/// ecCodes' own tools (`bufr_get`, `bufr_filter` rules, `bufr_dump -j f` parsed by Python):
/// every report read or skipped with its reason, and the counts, sums, positions and
/// stations they decode.
@Suite struct BUFRObservationsTests {
    static func path(_ name: String) throws -> String { try SampleData.path("bufr/" + name) }

    /// Reports in a file, as `bufr_get` counts subsets.
    static func subsetsByTool(_ path: String) throws -> Int {
        try Shell.run("bufr_get", ["-p", "numberOfSubsets", path]).stdout
            .split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.reduce(0, +)
    }

    /// `message M subset S` of a source `FILE:message M subset S`.
    static func record(_ source: String) -> String {
        source.split(separator: ":").last.map(String.init) ?? source
    }

    /// What `bufr_dump -j f` decodes (numbers written with six significant digits), summed
    /// by Python: every report (first station id, latitude, longitude), the non-missing `airTemperature`/`airTemperatureAt2M` and
    /// `nonCoordinateGeopotential` (count, sum, units) and the wind direction–speed pairs.
    struct Dump {
        var reports: [String: (site: String, latitude: Double, longitude: Double)] = [:]
        var order: [String] = []
        var temperatures = (count: 0, sum: 0.0)
        var geopotentials = (count: 0, sum: 0.0, units: "")
        var winds = 0
    }

    static let dumpScript = """
        import json, sys
        elements = json.load(sys.stdin)['messages']
        reports, message = [], 0
        t_n, t_sum, z_n, z_sum, units, winds, last = 0, 0.0, 0, 0.0, set(), 0, None
        for x in elements:
            if not isinstance(x, dict): continue
            k, v = x.get('key'), x.get('value')
            if k == 'subsetNumber':
                if v == 1: message += 1
                reports.append({'id': 'message_%d_subset_%d' % (message, v)})
                last = None
                continue
            if not reports: continue
            r = reports[-1]
            if k not in r: r[k] = v
            if k in ('airTemperature', 'airTemperatureAt2M') and v is not None:
                t_n += 1; t_sum += v
            if k == 'nonCoordinateGeopotential' and v is not None:
                z_n += 1; z_sum += v; units.add(x.get('units'))
            if k in ('windDirection', 'windSpeed'):
                if last is not None and last[0] != k and last[1] is not None and v is not None:
                    winds += 1; last = None
                else:
                    last = (k, v)
            elif k == 'pressure':
                last = None
        def site(r):
            if r.get('blockNumber') is not None and r.get('stationNumber') is not None:
                return '%05d' % (r['blockNumber'] * 1000 + r['stationNumber'])
            if r.get('wigosLocalIdentifierCharacter'):
                return '%s-%s-%s-%s' % (r['wigosIdentifierSeries'], r['wigosIssuerOfIdentifier'], r['wigosIssueNumber'], r['wigosLocalIdentifierCharacter'].strip())
            return (r.get('stationOrSiteName') or '-').strip().replace(' ', '_')
        for r in reports:
            print('R', r['id'], site(r), repr(r.get('latitude')), repr(r.get('longitude')))
        print('T', t_n, repr(t_sum))
        print('Z', z_n, repr(z_sum), ','.join(sorted(str(u) for u in units)).replace(' ', '_') or '-')
        print('W', winds)
        """

    static func dump(_ path: String) throws -> Dump {
        let out = try Shell.run("bash", ["-c", "bufr_dump -j f \"$1\" | python3 -c \"$0\"", dumpScript, path]).stdout
        var dump = Dump()
        for line in out.split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            switch f.first {
            case "R" where f.count == 5:
                let id = f[1].replacingOccurrences(of: "_", with: " ")
                dump.reports[id] = (f[2] == "-" ? "" : f[2].replacingOccurrences(of: "_", with: " "), Double(f[3]) ?? .nan, Double(f[4]) ?? .nan)
                dump.order.append(id)
            case "T" where f.count == 3: dump.temperatures = (Int(f[1]) ?? -1, Double(f[2]) ?? .nan)
            case "Z" where f.count == 4: dump.geopotentials = (Int(f[1]) ?? -1, Double(f[2]) ?? .nan, f[3].replacingOccurrences(of: "_", with: " "))
            case "W" where f.count == 2: dump.winds = Int(f[1]) ?? -1
            default: continue
            }
        }
        return dump
    }

    /// Every observation sits at its report's station and position as `dump` decodes them
    /// (for reports without displacements); returns how many do not, and the first three.
    static func misplaced(_ table: ObservationTable, _ dump: Dump) -> (count: Int, first: [String]) {
        let wrong = table.observations.compactMap { o -> String? in
            guard let r = dump.reports[record(o.source)] else { return "\(o.source): no such report in bufr_dump" }
            // bufr_dump writes numbers with six significant digits (%g): 46.19844 as 46.1984.
            guard o.site == r.site, abs(o.latitude - r.latitude) <= 5e-6 * abs(r.latitude) + 1e-12,
                  abs(o.longitude - r.longitude) <= 5e-6 * abs(r.longitude) + 1e-12 else {
                return "\(record(o.source)): \(o.site) \(o.latitude) \(o.longitude), bufr_dump \(r.site) \(r.latitude) \(r.longitude)"
            }
            return nil
        }
        return (wrong.count, Array(wrong.prefix(3)))
    }

    // MARK: pdbufr's SYNOP and TEMP files

    @Test func everySYNOPReportIsReadWithTheTemperaturesAndStationsEcCodesDecodes() throws {
        let path = try Self.path("perf_synop.bufr")
        var table = ObservationTable()
        let summary = try BUFRObservations.read(path, into: &table)   // strict: no report is malformed
        let reports = try Self.subsetsByTool(path)
        #expect(reports == 15_824)
        #expect(table.recordsInFiles == reports && summary.reports == reports)
        #expect(summary.reportsRead + table.skipped.count == reports && table.skipped.isEmpty)

        // bufr_filter (ecCodes' rules language) prints each message's position, station and
        // temperatures; a missing value prints as -1e+100.
        let rules = """
            set skipExtraKeyAttributes=1;
            set unpack=1;
            print "M [numberOfSubsets] [latitude%.7f] [longitude%.7f]";
            if (defined(blockNumber)) { print "S [blockNumber] [stationNumber]"; }
            if (defined(airTemperatureAt2M)) { print "T [airTemperatureAt2M%.4f!100000]"; }
            if (defined(airTemperature)) { print "T [airTemperature%.4f!100000]"; }
            """
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try rules.write(toFile: folder.file("synop.rules"), atomically: true, encoding: .utf8)
        var stations: [String: (site: String, latitude: Double, longitude: Double)] = [:]
        var message = 0
        var count = 0
        var sum = 0.0
        for line in try Shell.run("bufr_filter", [folder.file("synop.rules"), path]).stdout.split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            switch f.first {
            case "M":
                message += 1
                stations["message \(message) subset 1"] = ("", Double(f[2]) ?? .nan, Double(f[3]) ?? .nan)
            case "S":
                let site = String(format: "%05d", (Int(f[1]) ?? 0) * 1000 + (Int(f[2]) ?? 0))
                stations["message \(message) subset 1"]?.site = site
            case "T":
                for value in f.dropFirst().compactMap(Double.init) where value > -1e99 {
                    count += 1
                    sum += value
                }
            default: continue
            }
        }
        #expect(message == reports)

        let t = table.observations.filter { $0.variable == "t" }
        #expect(t.count == count && count == 7_803)
        let total = t.reduce(0) { $0 + $1.value }
        #expect(abs(total - sum) < 1e-6, "Plume \(total) K, bufr_filter \(sum) K")
        #expect(summary.observationsByVariable["t"] == t.count)
        let misplaced = table.observations.filter { o in
            guard let s = stations[Self.record(o.source)] else { return true }
            return o.site != s.site || abs(o.latitude - s.latitude) > 1e-6 || abs(o.longitude - s.longitude) > 1e-6
        }
        #expect(misplaced.isEmpty, "\(misplaced.count) observations off their station, first \(misplaced.first?.source ?? "")")
        // Two stations as bufr_dump prints them.
        let first = try #require(table.observations.first { Self.record($0.source) == "message 1 subset 1" })
        #expect(first.site == "40340" && abs(first.latitude - 29.55) < 1e-9 && abs(first.longitude - 35) < 1e-9)
        #expect(first.time == CFDate(year: 2018, month: 11, day: 2, hour: 12))
        let third = try #require(table.observations.first { Self.record($0.source) == "message 3 subset 1" })
        #expect(third.site == "40913" && abs(third.latitude - 36.67) < 1e-9 && abs(third.longitude - 68.92) < 1e-9)
        // Supplementary reports (extremes, sunshine) hold no value read here: counted.
        #expect(summary.reportsWithoutValues == 7_951)
    }

    @Test func everyTEMPLevelIsReadAsBufrDumpDecodesIt() throws {
        let path = try Self.path("temp.bufr")
        var table = ObservationTable()
        let summary = try BUFRObservations.read(path, into: &table)
        let dump = try Self.dump(path)
        let reports = try Self.subsetsByTool(path)
        #expect(reports == 420 && dump.order.count == reports)
        #expect(table.recordsInFiles == reports && summary.reportsRead == reports && table.skipped.isEmpty)

        let t = table.observations.filter { $0.variable == "t" }
        #expect(t.count == dump.temperatures.count && t.count == 18_742)
        let total = t.reduce(0) { $0 + $1.value }
        #expect(abs(total - dump.temperatures.sum) < 1e-6, "Plume \(total) K, bufr_dump \(dump.temperatures.sum) K")
        // Geopotential as coded (0 10 008, m² s⁻²), not geopotential height.
        #expect(dump.geopotentials.units == "m2 s-2")
        let z = table.observations.filter { $0.variable == "z" }
        #expect(z.count == dump.geopotentials.count && z.count == 16_453)
        #expect(abs(z.reduce(0) { $0 + $1.value } - dump.geopotentials.sum) < 1e-3)
        #expect(table.observations.filter { $0.variable == "u" }.count == dump.winds)
        #expect(table.observations.filter { $0.variable == "v" }.count == dump.winds && dump.winds == 13_758)
        #expect(table.observations.allSatisfy { if case .pressurePa = $0.vertical { true } else { false } })
        #expect(Self.misplaced(table, dump).count == 0, "\(Self.misplaced(table, dump).first)")
        #expect(summary.unplaced.isEmpty)
    }

    @Test func aRadiosondeReportHasItsLevelsWindsAndThePole() throws {
        let path = try Self.path("temp_small.bufr")
        var table = ObservationTable()
        try BUFRObservations.read(path, into: &table)
        #expect(table.recordsInFiles == 7 && table.skipped.isEmpty)
        #expect(table.observations.filter { $0.variable == "t" }.count == 306)   // as BUFRFileTests count them with bufr_dump
        let first = table.observations.filter { Self.record($0.source) == "message 1 subset 1" }
        func value(_ variable: String, _ pressure: Double) -> Double? {
            first.first { $0.variable == variable && $0.vertical == .pressurePa(pressure) }?.value
        }
        #expect(first.allSatisfy { $0.site == "71907" && $0.time == CFDate(year: 2008, month: 12, day: 8, hour: 12) })
        #expect(value("t", 100_000) == 259.7 && value("td", 100_000) == 258.3 && value("z", 100_000) == 430)
        // Level 5 (925 hPa), as bufr_filter prints it: wind from 275° at 5 m/s.
        let rules = try TemporaryFolder()
        defer { rules.remove() }
        try """
            set unpack=1;
            if (count == 1) { print "[#5#pressure]"; print "[#5#windDirection]"; print "[#5#windSpeed]"; }
            """.write(toFile: rules.file("r"), atomically: true, encoding: .utf8)
        let level = try Shell.run("bufr_filter", [rules.file("r"), path]).stdout
            .split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        #expect(level == [92_500, 275, 5])
        let direction = 275 * Double.pi / 180
        let u = try #require(value("u", 92_500)), v = try #require(value("v", 92_500))
        #expect(abs(u - (-5 * sin(direction))) < 1e-12 && abs(u - 4.98097) < 1e-5)   // a westerly: u > 0
        #expect(abs(v - (-5 * cos(direction))) < 1e-12 && abs(v - -0.43578) < 1e-5)
        // Calm: 0°, 0 m/s gives u = v = 0 (not −0).
        #expect(value("u", 100_000).map { $0 == 0 && $0.sign == .plus } == true)
        // Message 3 is the South Pole (89009): ecCodes decodes −90.00000000000001, read as −90.
        let pole = try #require(table.observations.first { Self.record($0.source) == "message 3 subset 1" })
        #expect(pole.site == "89009" && pole.latitude == -90)
    }

    @Test func soundingLevelsMoveWithTheirDisplacements() throws {
        let path = try Self.path("temp_hires.bufr")
        var table = ObservationTable()
        try BUFRObservations.read(path, into: &table)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // One key a line: bufr_filter repeats a formatted value for the keys after it on a line.
        try """
            set unpack=1;
            print "[#100#pressure]"; print "[#100#timePeriod]";
            print "[#100#latitudeDisplacement%.5f]"; print "[#100#longitudeDisplacement%.5f]";
            print "[#100#airTemperature%.2f]"; print "[#1#latitude%.5f]"; print "[#1#longitude%.5f]";
            print "[hour]"; print "[minute]"; print "[second]";
            """.write(toFile: folder.file("r"), atomically: true, encoding: .utf8)
        let f = try Shell.run("bufr_filter", [folder.file("r"), path]).stdout.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        try #require(f.count == 10)
        #expect(f[0] == 82_690 && f[1] == 192)   // 192 s after launch
        let t = try #require(table.observations.first { $0.variable == "t" && $0.vertical == .pressurePa(f[0]) })
        #expect(t.value == f[4] && t.site == "10954")
        #expect(abs(t.latitude - (f[5] + f[2])) < 1e-9 && abs(t.longitude - (f[6] + f[3])) < 1e-9)
        // Launch 10:45:04 + 192 s.
        #expect(f[7...9] == [10, 45, 4])
        #expect(t.time == CFDate(year: 2025, month: 2, day: 23, hour: 10, minute: 48, second: 16))
        // Every level's values share its place: z comes before the displacements in the report.
        let z = try #require(table.observations.first { $0.variable == "z" && $0.vertical == .pressurePa(f[0]) })
        #expect(z.latitude == t.latitude && z.longitude == t.longitude && z.time == t.time)
    }

    // MARK: Multi-subset messages

    @Test func theReportsOfUncompressedMultiSubsetMessagesAreToldApart() throws {
        for (name, reports, temperatures) in [("synop_multi_subset_uncompressed.bufr", 12, 12),
                                               ("Z__C_EDZW_20210516120400_bda01,synop_bufr_GER_999999_999999__MW_466.bufr", 1_031, 961)] {
            let path = try Self.path(name)
            var table = ObservationTable()
            let summary = try BUFRObservations.read(path, into: &table)
            let dump = try Self.dump(path)
            let subsets = try Self.subsetsByTool(path)
            #expect(table.recordsInFiles == reports && dump.order.count == reports && subsets == reports, "\(name)")
            #expect(summary.reportsRead == reports && table.skipped.isEmpty)
            let t = table.observations.filter { $0.variable == "t" }
            #expect(t.count == dump.temperatures.count && t.count == temperatures, "\(name)")
            #expect(abs(t.reduce(0) { $0 + $1.value } - dump.temperatures.sum) < 1e-6, "\(name)")
            #expect(table.observations.filter { $0.variable == "u" }.count == dump.winds, "\(name)")
            #expect(Self.misplaced(table, dump).count == 0, "\(name): \(Self.misplaced(table, dump).first)")
        }
    }

    /// Both ways of telling uncompressed subsets apart (the first element of each subset;
    /// every name counted per subset by ecCodes) give the same reports.
    @Test func theTwoWaysOfSplittingSubsetsAgree() throws {
        let path = try Self.path("Z__C_EDZW_20210516120400_bda01,synop_bufr_GER_999999_999999__MW_466.bufr")
        let file = try BUFRFile(path: path)
        var compared = 0
        for index in file.messages.indices {
            let message = try file.message(index, keyAttributes: false)
            guard message.subsetCount > 1 else { continue }
            let anchored = try BUFRReportElements.reports(message, subsets: message.subsetCount, kind: .surface).get()
            let counted = try BUFRReportElements.reports(message, subsets: message.subsetCount, kind: .surface, anchors: false).get()
            #expect(anchored.map { $0.map(\.name) } == counted.map { $0.map(\.name) })
            #expect(anchored.map { $0.map(\.number) } == counted.map { $0.map(\.number) })
            compared += 1
        }
        let multiSubset = try Shell.run("bufr_get", ["-p", "numberOfSubsets", path]).stdout
            .split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 1 }.count
        #expect(compared == multiSubset && compared == 33)
    }

    /// A SYNOP-like report for `encode`: numbers as ecCodes' rules language writes them,
    /// `-1e+100` for missing.
    struct Synthetic {
        var station: Int
        var name: String
        var latitude = "52.1"
        var longitude = "5.18"
        var hour = 12
        var elevation = "1.9"
        var temperature = "280.15"
        var dewPoint = "276.15"
        var humidity = 76
        var direction = 240
        var speed = "5.2"
    }

    static let synthetic = [
        Synthetic(station: 260, name: "DE BILT"),
        Synthetic(station: 240, name: "SCHIPHOL", latitude: "52.318", longitude: "4.79", elevation: "-3.3",
                  temperature: "281.25", dewPoint: "-1e+100", humidity: 80, direction: 250, speed: "7.1"),
        Synthetic(station: 370, name: "EINDHOVEN", latitude: "51.449", longitude: "5.377", elevation: "20.6",
                  temperature: "279.85", dewPoint: "275.35", humidity: 74, direction: 90, speed: "3.0"),
    ]

    /// Writes `reports` as BUFR with ecCodes (`bufr_filter` from its BUFR4 sample): one
    /// compressed message of them all, or one uncompressed message each. The template:
    /// 3 01 090 (station, time, position), 3 02 032 (temperature and humidity, sensor at
    /// 1.5 m), 3 02 042 (wind, sensor at 10 m).
    static func encode(_ to: String, compressed: Bool, reports: [Synthetic] = synthetic) throws {
        var rules = """
            set masterTablesVersionNumber=28;
            set localTablesVersionNumber=0;
            set dataCategory=0;
            set numberOfSubsets=\(compressed ? reports.count : 1);
            set compressedData=\(compressed ? 1 : 0);
            set unexpandedDescriptors={301090, 302032, 302042};
            set blockNumber=6; set stationType=1; set year=2024; set month=3; set day=1; set minute=30;
            set #1#heightOfSensorAboveLocalGroundOrDeckOfMarinePlatform=1.5;
            set #2#heightOfSensorAboveLocalGroundOrDeckOfMarinePlatform=10;

            """
        for report in compressed ? [reports[0]] : reports {
            let one = compressed ? reports : [report]
            func list(_ f: (Synthetic) -> String) -> String {
                compressed ? "{" + one.map(f).joined(separator: ", ") + "}" : f(report)
            }
            rules += """
                set stationNumber=\(list { "\($0.station)" });
                set stationOrSiteName=\(list { "\"\($0.name)\"" });
                set hour=\(list { "\($0.hour)" });
                set latitude=\(list(\.latitude)); set longitude=\(list(\.longitude));
                set heightOfStationGroundAboveMeanSeaLevel=\(list(\.elevation));
                set airTemperature=\(list(\.temperature)); set dewpointTemperature=\(list(\.dewPoint));
                set relativeHumidity=\(list { "\($0.humidity)" });
                set windDirection=\(list { "\($0.direction)" }); set windSpeed=\(list(\.speed));
                set pack=1;
                write;

                """
        }
        let samples = try Shell.run("codes_info", ["-s"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let rulesPath = to + ".rules"
        try rules.write(toFile: rulesPath, atomically: true, encoding: .utf8)
        try Shell.run("bufr_filter", ["-o", to, rulesPath, samples + "/BUFR4.tmpl"])
    }

    @Test func compressedAndUncompressedMessagesGiveTheSameObservations() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var tables: [ObservationTable] = []
        for compressed in [true, false] {
            let path = folder.file(compressed ? "compressed.bufr" : "uncompressed.bufr")
            try Self.encode(path, compressed: compressed)
            #expect(try BUFRFile(path: path).message(0).isCompressed == compressed)
            var table = ObservationTable()
            let summary = try BUFRObservations.read(path, into: &table)
            #expect(table.recordsInFiles == 3 && summary.missingValues["dewpointTemperature"] == 1)
            // One message of three reports, or three messages of one.
            #expect(Set(table.observations.map { Self.record($0.source) })
                    == (compressed ? ["message 1 subset 1", "message 1 subset 2", "message 1 subset 3"]
                                   : ["message 1 subset 1", "message 2 subset 1", "message 3 subset 1"]))
            for i in table.observations.indices { table.observations[i].source = "" }
            tables.append(table)
        }
        #expect(tables[0] == tables[1])
        let o = tables[0].observations
        func find(_ station: String, _ variable: String) -> Observation? {
            o.first { $0.site == "06" + station && $0.variable == variable }
        }
        let t = try #require(find("260", "t"))
        // Values as ecCodes decodes them (decimal scaling in binary: within 1e-9 of the text).
        #expect(t.site == "06260" && abs(t.value - 280.15) < 1e-9 && t.time == CFDate(year: 2024, month: 3, day: 1, hour: 12, minute: 30))
        #expect(abs(t.latitude - 52.1) < 1e-9 && abs(t.longitude - 5.18) < 1e-9)
        // 1.9 m ground + the 1.5 m sensor height before the temperature.
        if case .altitudeM(let h)? = t.vertical { #expect(abs(h - 3.4) < 1e-9) } else { Issue.record("t has no altitude") }
        #expect(find("240", "td") == nil && abs((find("370", "td")?.value ?? 0) - 275.35) < 1e-9)
        #expect(abs((find("260", "rh")?.value ?? 0) - 0.76) < 1e-12 && abs((find("240", "t")?.value ?? 0) - 281.25) < 1e-9)
        // 5.2 m/s from 240° (south-west): u = −5.2 sin 240° = 4.5033, v = −5.2 cos 240° = 2.6, at 1.9 + 10 m.
        let u = try #require(find("260", "u")), v = try #require(find("260", "v"))
        #expect(abs(u.value - 4.503332) < 1e-6 && abs(v.value - 2.6) < 1e-9)
        if case .altitudeM(let h)? = u.vertical { #expect(abs(h - 11.9) < 1e-9) } else { Issue.record("u has no altitude") }
        // 90° (east wind): u = −3, v = 0.
        #expect(abs((find("370", "u")?.value ?? 0) + 3) < 1e-12 && abs(find("370", "v")?.value ?? 1) < 1e-12)
    }

    // MARK: Malformed and foreign reports

    @Test func malformedReportsAreRefusedOrSkippedNamingThem() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Report 2 without latitude, report 3 at longitude 400, report 4 at 25:30: in one
        // compressed message (message 1), then in one uncompressed message each (2 to 5).
        var reports = Self.synthetic + [Self.synthetic[0]]
        reports[1].latitude = "-1e+100"
        reports[2].longitude = "400"
        reports[3].hour = 25
        try Self.encode(folder.file("a.bufr"), compressed: true, reports: reports)
        try Self.encode(folder.file("b.bufr"), compressed: false, reports: reports)
        let path = folder.file("bad.bufr")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: folder.file("a.bufr")))
        bytes += try Data(contentsOf: URL(fileURLWithPath: folder.file("b.bufr")))
        try bytes.write(to: URL(fileURLWithPath: path))

        var table = ObservationTable()
        let summary = try BUFRObservations.read(path, into: &table, mode: .lenient)
        #expect(table.recordsInFiles == 8 && summary.reportsRead == 2 && table.skipped.count == 6)
        #expect(summary.reportsRead + table.skipped.count == table.recordsInFiles)
        #expect(Set(table.observations.map { Self.record($0.source) }) == ["message 1 subset 1", "message 2 subset 1"])
        let time = "time 2024-3-1 25:30:0 is not a date and time (expected day 1…31, hour 0…23, minute 0…59, second 0…60)"
        #expect(table.skipped.map { Self.record($0.source) + ": " + $0.reason } == [
            "message 1 subset 2: latitude is missing (expected degrees north, −90…90)",
            "message 1 subset 3: longitude 400 is not within −180…360",
            "message 1 subset 4: " + time,
            "message 3 subset 1: latitude is missing (expected degrees north, −90…90)",
            "message 4 subset 1: longitude 400 is not within −180…360",
            "message 5 subset 1: " + time,
        ])
        var strict = ObservationTable()
        #expect(throws: ObservationError.malformed(source: path + ":message 1 subset 2", reason: "latitude is missing (expected degrees north, −90…90)")) {
            try BUFRObservations.read(path, into: &strict)
        }
    }

    @Test func reportsOfOtherKindsAreSkippedWithTheirReason() throws {
        let path = try Self.path("aircraft_small.bufr")
        var table = ObservationTable()
        let summary = try BUFRObservations.read(path, into: &table, mode: .lenient)
        #expect(table.recordsInFiles == 10 && table.skipped.count == 10 && table.observations.isEmpty && summary.reportsSkipped == 10)
        let reason = "data category 4 (single level upper-air, aircraft) is not read (expected SYNOP or SHIP, categories 0 and 1, or TEMP, category 2)"
        #expect(table.skipped.allSatisfy { $0.reason == reason })
        var strict = ObservationTable()
        #expect(throws: ObservationError.malformed(source: path + ":message 1 subset 1", reason: reason)) {
            try BUFRObservations.read(path, into: &strict)
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        FileManager.default.createFile(atPath: folder.file("x.bufr"), contents: Data("GRIB, not BUFR".utf8))
        do {
            try BUFRObservations.read(folder.file("x.bufr"), into: &strict)
            Issue.record("a file without BUFR messages was read")
        } catch {
            guard case .unreadable(let file, let why) = error else { Issue.record("\(error)"); return }
            #expect(file == folder.file("x.bufr") && why.contains("BUFR messages"))
        }
    }

    @Test func stationsWithoutAWMONumberAreNamedByTheirWIGOSIdentifier() throws {
        let path = try Self.path("synop_wigos.bufr")
        var table = ObservationTable()
        try BUFRObservations.read(path, into: &table)
        let dump = try Self.dump(path)
        #expect(Set(table.observations.map(\.site)) == ["0-705-0-1931", "0-705-0-1932", "0-705-0-1933"])
        #expect(Self.misplaced(table, dump).count == 0, "\(Self.misplaced(table, dump).first)")
    }
}
