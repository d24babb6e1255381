import PlumeGrids
import PlumeIO

/// A time series of driving meteorology on one transport grid and one set of layers.
/// Lazy: a record is read (and regridded) when asked for, so a source may span years.
public protocol TransportMeteorologySource: Sendable {
    /// The grid every record is on.
    var grid: TransportGrid { get }
    /// The layers the winds are averaged over (surface first).
    var levels: HybridLevels { get }
    /// Model times of the records, s, strictly increasing (see `TransportMeteorologyRecord.time`).
    var recordTimes: [Double] { get }
    /// The calendar year the model clock starts in: 1 January 00 UTC of it is time 0.
    var startYear: Int { get }
    /// The CF calendar the model clock counts in.
    var calendar: CFCalendar { get }
    /// The record at `index` (0..<recordTimes.count).
    func record(at index: Int) throws(IngestError) -> TransportMeteorologyRecord
}

extension TransportMeteorologySource {
    /// The standard (Gregorian) calendar.
    public var calendar: CFCalendar { .standard }
}
