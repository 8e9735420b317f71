/// A bounds-checked reader for the few EXIF fields the database wants (camera, capture time, GPS).
///
/// It parses the raw `exif-data` blob itself rather than libvips' formatted strings: the blob comes from strangers,
/// so every offset is checked, IFD loops are cut, and anything malformed simply yields no value.
struct ExifReader {
    private let data: [UInt8]
    private let littleEndian: Bool

    /// Accepts a blob with or without the JPEG APP1 "Exif\0\0" prefix (HEIF stores it with a 4-byte offset first).
    init?(_ blob: [UInt8]) {
        guard let start = Self.tiffStart(blob) else { return nil }
        data = Array(blob[start...])
        littleEndian = data[0] == 0x49
    }

    private static func tiffStart(_ blob: [UInt8]) -> Int? {
        let limit = min(blob.count - 8, 16)
        guard limit >= 0 else { return nil }
        for start in 0...limit {
            let b = blob[start..<(start + 4)]
            if b.elementsEqual([0x49, 0x49, 0x2A, 0x00]) || b.elementsEqual([0x4D, 0x4D, 0x00, 0x2A]) { return start }
        }
        return nil
    }

    struct Entry {
        var type: Int
        var count: Int
        var valueOffset: Int  // where the value bytes start in `data`
    }

    /// The entries of the IFD at `offset`, keyed by tag. Unknown or out-of-range entries are dropped.
    func ifd(at offset: Int) -> [Int: Entry] {
        guard let count = u16(offset), count <= 1024 else { return [:] }
        var entries: [Int: Entry] = [:]
        for index in 0..<count {
            let base = offset + 2 + index * 12
            guard let tag = u16(base), let type = u16(base + 2), let n = u32(base + 4) else { break }
            let unit = [1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8][type] ?? 0
            guard unit > 0, n > 0, n <= 1 << 20 else { continue }
            let size = unit * n
            let valueOffset = size <= 4 ? base + 8 : (u32(base + 8) ?? -1)
            guard valueOffset >= 0, valueOffset + size <= data.count else { continue }
            entries[tag] = Entry(type: type, count: n, valueOffset: valueOffset)
        }
        return entries
    }

    var ifd0Offset: Int? { u32(4) }

    func pointer(_ entries: [Int: Entry], _ tag: Int) -> Int? {
        guard let entry = entries[tag], entry.type == 4 || entry.type == 13 || entry.type == 3 else { return nil }
        let value = entry.type == 3 ? u16(entry.valueOffset) : u32(entry.valueOffset)
        guard let value, value >= 8, value < data.count else { return nil }
        return value
    }

    func ascii(_ entries: [Int: Entry], _ tag: Int) -> String? {
        guard let entry = entries[tag], entry.type == 2 || entry.type == 7 else { return nil }
        let bytes = data[entry.valueOffset..<(entry.valueOffset + entry.count)].prefix { $0 != 0 }
        let text = String(decoding: bytes, as: UTF8.self).trimmingSpaces()
        return text.isEmpty ? nil : text
    }

    func rationals(_ entries: [Int: Entry], _ tag: Int) -> [Double]? {
        guard let entry = entries[tag], entry.type == 5 || entry.type == 10 else { return nil }
        var values: [Double] = []
        for index in 0..<min(entry.count, 8) {
            let at = entry.valueOffset + index * 8
            guard let num = u32(at), let den = u32(at + 4), den != 0 else { return nil }
            if entry.type == 10 {
                values.append(Double(Int32(truncatingIfNeeded: num)) / Double(Int32(truncatingIfNeeded: den)))
            } else {
                values.append(Double(num) / Double(den))
            }
        }
        return values
    }

    private func u16(_ offset: Int) -> Int? {
        guard offset >= 0, offset + 2 <= data.count else { return nil }
        let a = Int(data[offset]), b = Int(data[offset + 1])
        return littleEndian ? a | b << 8 : a << 8 | b
    }

    private func u32(_ offset: Int) -> Int? {
        guard offset >= 0, offset + 4 <= data.count else { return nil }
        let bytes = (0..<4).map { Int(data[offset + $0]) }
        return littleEndian
            ? bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24
            : bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]
    }
}

extension ExifReader {
    /// Camera, capture time and position, each nil when absent or malformed.
    func facts() -> (camera: Camera?, capturedAt: String?, gps: GPSPosition?) {
        guard let ifd0Offset else { return (nil, nil, nil) }
        let ifd0 = ifd(at: ifd0Offset)
        let make = ascii(ifd0, 0x010F)
        let model = ascii(ifd0, 0x0110)
        let camera = (make == nil && model == nil) ? nil : Camera(make: make, model: model)

        var capturedAt: String?
        if let exifOffset = pointer(ifd0, 0x8769), exifOffset != ifd0Offset {
            let exif = ifd(at: exifOffset)
            if let original = ascii(exif, 0x9003) ?? ascii(exif, 0x9004) {
                capturedAt = Self.isoDate(original, offset: ascii(exif, 0x9011))
            }
        }
        if capturedAt == nil, let dateTime = ascii(ifd0, 0x0132) {
            capturedAt = Self.isoDate(dateTime, offset: nil)
        }

        var gps: GPSPosition?
        if let gpsOffset = pointer(ifd0, 0x8825), gpsOffset != ifd0Offset {
            let entries = ifd(at: gpsOffset)
            if let lat = Self.degrees(rationals(entries, 2), ref: ascii(entries, 1), negative: "S"),
                let lng = Self.degrees(rationals(entries, 4), ref: ascii(entries, 3), negative: "W"),
                abs(lat) <= 90, abs(lng) <= 180
            {
                gps = GPSPosition(latitude: lat, longitude: lng)
            }
        }
        return (camera, capturedAt, gps)
    }

    static func degrees(_ dms: [Double]?, ref: String?, negative: String) -> Double? {
        guard let dms, let degrees = dms.first, degrees.isFinite else { return nil }
        let minutes = dms.count > 1 ? dms[1] : 0
        let seconds = dms.count > 2 ? dms[2] : 0
        let value = degrees + minutes / 60 + seconds / 3600
        guard value.isFinite else { return nil }
        let rounded = (value * 1_000_000).rounded() / 1_000_000
        return ref?.uppercased().hasPrefix(negative) == true ? -rounded : rounded
    }

    /// "2008:10:22 16:28:39" (+ OffsetTimeOriginal "+02:00") → "2008-10-22T16:28:39+02:00". Local time when no offset.
    static func isoDate(_ text: String, offset: String?) -> String? {
        let chars = Array(text.utf8)
        guard chars.count >= 19 else { return nil }
        let digitPositions = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digitPositions.allSatisfy({ (48...57).contains(chars[$0]) }) else { return nil }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(chars[$1] - 48) } }
        let year = number(0..<4), month = number(5..<7), day = number(8..<10)
        let hour = number(11..<13), minute = number(14..<16), second = number(17..<19)
        guard year >= 1800, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var iso = "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))"
        if let offset, offset.utf8.count == 6, offset.first == "+" || offset.first == "-" {
            iso += offset
        }
        return iso
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
