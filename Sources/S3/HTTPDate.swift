import Foundation

/// The IMF-fixdate of HTTP (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110 §5.6.7): `Last-Modified`, `If-Modified-Since`,
/// `If-Range`. Public because the origin speaks it too; converted without `DateFormatter` (not Sendable, locale-bound).
public enum HTTPDate {
    /// Nil for anything but an IMF-fixdate (the obsolete RFC 850 and asctime forms are not accepted: no client we
    /// serve sends them, and a date we cannot read only costs a conditional request its shortcut).
    public static func parse(_ text: String) -> Date? {
        let parts = text.trimmingASCIIWhitespace().split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", parts[0].hasSuffix(","), let day = Int(parts[1]), let year = Int(parts[3]),
            let month = months.firstIndex(of: String(parts[2])).map({ $0 + 1 })
        else { return nil }
        let time = parts[4].split(separator: ":")
        guard time.count == 3, let h = Int(time[0]), let m = Int(time[1]), let s = Int(time[2]) else { return nil }
        return S3Date.date(S3Date.Civil(year: year, month: month, day: day, hour: h, minute: m, second: s))
    }

    /// Whole seconds, fractions dropped (HTTP dates have no finer resolution).
    public static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let c = S3Date.civil(fromEpochSeconds: seconds)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        // 1970-01-01 was a Thursday.
        let weekday = weekdays[((days % 7) + 7 + 4) % 7]
        return "\(weekday), \(pad(c.day)) \(months[c.month - 1]) \(c.year) \(pad(c.hour)):\(pad(c.minute)):\(pad(c.second)) GMT"
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
