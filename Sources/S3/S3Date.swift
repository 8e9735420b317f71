import Foundation

/// The date formats of S3 beside HTTP's own (`HTTPDate`), converted without `DateFormatter` (not Sendable, locale-bound).
enum S3Date {
    struct Civil: Equatable {
        var year, month, day, hour, minute, second: Int
    }

    /// `20130524T000000Z` and `20130524` for `X-Amz-Date` and the credential scope.
    static func amzTimestamp(_ date: Date) -> (dateTime: String, day: String) {
        let c = civil(fromEpochSeconds: Int(date.timeIntervalSince1970.rounded(.down)))
        let day = pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2)
        return (day + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z", day)
    }

    /// `2009-10-12T17:50:30.000Z` (the ListObjects `LastModified` format); fractions are dropped.
    static func parseISO8601(_ text: String) -> Date? {
        let utf8 = Array(text.trimmingASCIIWhitespace().utf8)
        guard utf8.count >= 20, utf8.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= utf8.count else { return nil }
            return Int(String(decoding: utf8[range], as: UTF8.self))
        }
        guard utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"), utf8[10] == UInt8(ascii: "T"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let h = number(11..<13), let m = number(14..<16), let s = number(17..<19)
        else { return nil }
        return date(Civil(year: year, month: month, day: day, hour: h, minute: m, second: s))
    }

    static func date(_ c: Civil) -> Date? {
        guard (1...12).contains(c.month), (1...31).contains(c.day), (0...23).contains(c.hour),
            (0...59).contains(c.minute), (0...60).contains(c.second)
        else { return nil }
        let days = daysFromCivil(year: c.year, month: c.month, day: c.day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + c.hour * 3600 + c.minute * 60 + c.second))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // Howard Hinnant's proleptic Gregorian day algorithms (public domain).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromEpochSeconds seconds: Int) -> Civil {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return Civil(
            year: year, month: month, day: day,
            hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }
}
