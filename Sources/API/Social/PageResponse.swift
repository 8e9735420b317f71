import Hummingbird

/// A cursor page: `{"<items key>": [...], "next_cursor": "..."|null}`; pass `next_cursor` back as `?cursor=`.
public struct PageResponse<Item: Codable & Sendable>: ResponseCodable, Sendable {
    public var items: [Item]
    public var nextCursor: String?
    /// The JSON key of the list (`users`, `media`, `comments`, `items`).
    public var itemsKey: String
    /// Some shards could not be read (a server down): `"partial": true`, only then present.
    public var partial: Bool

    public init(_ itemsKey: String, items: [Item], nextCursor: String?, partial: Bool = false) {
        self.itemsKey = itemsKey
        self.items = items
        self.nextCursor = nextCursor
        self.partial = partial
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(itemsKey))
        try container.encode(nextCursor, forKey: Key("next_cursor"))
        if partial { try container.encode(true, forKey: Key("partial")) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let key = container.allKeys.first { $0.stringValue != "next_cursor" && $0.stringValue != "partial" }
        itemsKey = key?.stringValue ?? "items"
        items = try key.map { try container.decode([Item].self, forKey: $0) } ?? []
        nextCursor = try container.decodeIfPresent(String.self, forKey: Key("next_cursor"))
        partial = try container.decodeIfPresent(Bool.self, forKey: Key("partial")) ?? false
    }
}
