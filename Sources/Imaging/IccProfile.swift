/// Just enough of an ICC profile to decide whether a colour transform is needed and to name it in the facts.
struct IccProfile: Sendable, Hashable {
    /// The header's data colour space signature, trimmed: "RGB", "GRAY", "CMYK", ...
    var colourSpace: String
    /// The `desc` tag text (v2 textDescription or v4 multiLocalizedUnicode), e.g. "Display P3".
    var description: String?

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 132 else { return nil }
        colourSpace = String(decoding: bytes[16..<20], as: UTF8.self).trimmingCharacters(in: " ")
        description = Self.describe(bytes)
    }

    /// Already sRGB: converting would cost a full-image pass for nothing. Matches "sRGB IEC61966-2.1",
    /// "sRGB built-in", "sRGB Gamut with sRGB Transfer", ...
    var isSRGB: Bool {
        colourSpace == "RGB" && (description?.lowercased().contains("srgb") ?? false)
    }

    private static func describe(_ bytes: [UInt8]) -> String? {
        let tagCount = min(be32(bytes, 128) ?? 0, 256)
        for index in 0..<tagCount {
            let entry = 132 + index * 12
            guard let signature = be32(bytes, entry), let offset = be32(bytes, entry + 4),
                let size = be32(bytes, entry + 8)
            else { return nil }
            guard signature == 0x6465_7363 /* desc */, size >= 12, offset + size <= bytes.count else { continue }
            let tag = Array(bytes[offset..<(offset + size)])
            switch String(decoding: tag[0..<4], as: UTF8.self) {
            case "desc":
                guard let length = be32(tag, 8), length > 0, 12 + length <= tag.count else { return nil }
                return String(decoding: tag[12..<(12 + length)].prefix { $0 != 0 }, as: UTF8.self)
            case "mluc":
                guard let records = be32(tag, 8), records > 0, let length = be32(tag, 20), let start = be32(tag, 24),
                    start + length <= tag.count
                else { return nil }
                let units = stride(from: start, to: start + length - 1, by: 2).map { UInt16(tag[$0]) << 8 | UInt16(tag[$0 + 1]) }
                return String(decoding: units, as: UTF16.self)
            default:
                return nil
            }
        }
        return nil
    }

    private static func be32(_ bytes: [UInt8], _ offset: Int) -> Int? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return (0..<4).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
