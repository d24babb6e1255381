import PlumeIO

/// One data element of a BUFR report, as the report lists it: an ecCodes key name and its
/// value (nil when the report gives it as missing).
struct BUFRElement: Sendable {
    var name: String
    /// The value of a numeric element, in SI units for the keys of
    /// `BUFRReportKind.descriptorDependent`, as ecCodes gives it otherwise.
    var number: Double?
    /// The value of a string element, trailing blanks removed.
    var text: String?
    /// Why a present value is not usable (a descriptor of a unit not converted), else nil.
    var problem: String?

    init(name: String, number: Double? = nil, text: String? = nil, problem: String? = nil) {
        self.name = name
        self.number = number
        self.text = text
        self.problem = problem
    }
}

/// Splits a BUFR message into its reports: for each subset, the elements of interest in
/// descriptor order (the order matters: a sensor height applies to the values after it, a
/// sounding level's values follow its pressure).
///
/// The order comes from ecCodes' data-section key iterator (`#rank#name`). Values come from
/// ecCodes as whole arrays:
/// - uncompressed data: one array per key name, all subsets (ranks 1…n in order). The
///   iterator lists the subsets one after another, each starting with the same first
///   element: when that element is once in every subset (ecCodes' `/subsetNumber=S/…`
///   count), its occurrences mark the subsets; otherwise the subset of each rank comes
///   from every name's per-subset counts (slower: one look-up per name and subset);
/// - compressed data: one array per ranked key, one value per subset or one for all.
enum BUFRReportElements {
    struct Failure: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// - Parameter anchors: false counts every name per subset even where the first
    ///   element would tell the subsets apart (for tests: both ways must agree).
    static func reports(_ message: BUFRMessage, subsets: Int, kind: BUFRReportKind, anchors useAnchors: Bool = true) -> Result<[[BUFRElement]], Failure> {
        guard subsets > 0 else { return .success([]) }
        let numericKeys = kind.numericKeys
        let keys = message.dataElements
        var ordered: [Key] = []
        // For uncompressed data, the subset of each key: every subset starts with the same
        // first element (the "anchor"), counted as the keys go by.
        let anchor = keys.first?.name
        var anchors = 0
        for (rank, name) in keys {
            if name == anchor { anchors += 1 }
            if numericKeys.contains(name) || BUFRReportKind.textKeys.contains(name) {
                ordered.append(Key(rank: rank, name: name, anchorSubset: anchors - 1))
            }
        }
        if message.isCompressed { return compressed(message, subsets: subsets, ordered: ordered) }
        // The anchors tell the subsets apart when the anchor is once in every subset
        // (checked with ecCodes' per-subset count); else every name is counted by subset.
        let anchored = subsets == 1 || (useAnchors && anchors == subsets && anchor.map { name in
            (1...subsets).allSatisfy { message.count(name, subset: $0) == 1 }
        } ?? false)
        return uncompressed(message, subsets: subsets, ordered: ordered, anchored: anchored)
    }

    /// A key of interest: `#rank#name`, and the subset (0-based) the anchor count puts it in.
    struct Key {
        var rank: Int
        var name: String
        var anchorSubset: Int
    }

    private static func compressed(_ message: BUFRMessage, subsets: Int, ordered: [Key]) -> Result<[[BUFRElement]], Failure> {
        var out = [[BUFRElement]](repeating: [], count: subsets)
        for key in ordered {
            let name = key.name
            let full = "#\(key.rank)#\(name)"
            if BUFRReportKind.textKeys.contains(name) {
                let values = message.strings(full) ?? []
                guard values.count == 1 || values.count == subsets else {
                    return .failure(Failure("'\(full)' has \(values.count) text values for \(subsets) subsets (expected 1 or \(subsets))"))
                }
                for s in 0..<subsets { out[s].append(BUFRElement(name: name, text: values.count == 1 ? values[0] : values[s])) }
            } else {
                let values = message.values(full) ?? []
                guard values.count == 1 || values.count == subsets else {
                    return .failure(Failure("'\(full)' has \(values.count) values for \(subsets) subsets (expected 1 or \(subsets))"))
                }
                let descriptor = BUFRReportKind.descriptorDependent.contains(name) ? message.descriptor(full) : nil
                for s in 0..<subsets {
                    out[s].append(element(name, values.count == 1 ? values[0] : values[s], descriptor: descriptor))
                }
            }
        }
        return .success(out)
    }

    private static func uncompressed(_ message: BUFRMessage, subsets: Int, ordered: [Key], anchored: Bool) -> Result<[[BUFRElement]], Failure> {
        var occurrences: [String: Int] = [:]
        for key in ordered { occurrences[key.name, default: 0] += 1 }
        var numbers: [String: [Double?]] = [:]
        var texts: [String: [String?]] = [:]
        for (name, count) in occurrences {
            if BUFRReportKind.textKeys.contains(name) {
                let values = message.strings(name) ?? []
                guard values.count == count else {
                    return .failure(Failure("ecCodes lists \(count) '\(name)' elements but gives \(values.count) text values"))
                }
                texts[name] = values
            } else {
                let values = message.values(name) ?? []
                guard values.count == count else {
                    return .failure(Failure("ecCodes lists \(count) '\(name)' elements but gives \(values.count) values"))
                }
                numbers[name] = values
            }
        }
        // Without anchors: cumulative counts per subset; rank r of a name is in the first
        // subset whose cumulative count reaches r.
        var cumulative: [String: [Int]] = [:]
        if !anchored {
            for (name, count) in occurrences {
                var sums: [Int] = []
                var total = 0
                for s in 1...subsets {
                    total += message.count(name, subset: s)
                    sums.append(total)
                }
                guard total == count else {
                    return .failure(Failure("its \(subsets) subsets hold \(total) '\(name)' elements, the message lists \(count)"))
                }
                cumulative[name] = sums
            }
        }
        var out = [[BUFRElement]](repeating: [], count: subsets)
        var cursor: [String: Int] = [:]
        for key in ordered {
            let (rank, name) = (key.rank, key.name)
            guard rank >= 1, rank <= occurrences[name, default: 0] else {
                return .failure(Failure("'#\(rank)#\(name)' is beyond the \(occurrences[name, default: 0]) '\(name)' elements listed"))
            }
            var subset = 0
            if anchored {
                subset = subsets == 1 ? 0 : key.anchorSubset
            } else {
                let sums = cumulative[name] ?? []
                var s = cursor[name] ?? 0
                while s < sums.count - 1, rank > sums[s] { s += 1 }
                cursor[name] = s
                subset = s
            }
            guard (0..<subsets).contains(subset) else {
                return .failure(Failure("'#\(rank)#\(name)' falls outside the \(subsets) subsets"))
            }
            if let values = texts[name] {
                out[subset].append(BUFRElement(name: name, text: values[rank - 1]))
            } else if let values = numbers[name] {
                let value = values[rank - 1]
                let descriptor = value != nil && BUFRReportKind.descriptorDependent.contains(name)
                    ? message.descriptor("#\(rank)#\(name)") : nil
                out[subset].append(element(name, value, descriptor: descriptor))
            }
        }
        return .success(out)
    }

    /// A numeric element; values of descriptor-dependent keys converted to SI units.
    private static func element(_ name: String, _ value: Double?, descriptor: Int?) -> BUFRElement {
        guard let value, BUFRReportKind.descriptorDependent.contains(name) else { return BUFRElement(name: name, number: value) }
        guard let descriptor else { return BUFRElement(name: name, problem: "\(name) without a descriptor (unit unknown)") }
        guard let si = BUFRUnits.si(name, descriptor: descriptor, value: value) else {
            return BUFRElement(name: name, problem: "\(name) of descriptor \(BUFRUnits.descriptorText(descriptor)) (unit not converted)")
        }
        return BUFRElement(name: name, number: si)
    }
}
