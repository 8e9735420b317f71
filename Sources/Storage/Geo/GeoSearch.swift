import Logging

/// `GET /v1/media/search`'s logic: the media within a radius, from the ``GeoIndex``, in one of two orders, hydrated
/// from the shards (``MediaRepository/media(ids:logger:)``, which leaves deleted media out, so a media deleted before
/// its `cleanup` job ran is never shown).
///
/// Cost: `distance` asks Redis only for the nearest `served + limit + 1` members (more when equal distances straddle
/// the cut); `recent` has to read every member in the circle to sort them by id: O(members in the circle) per page.
public struct GeoSearch: Sendable {
    public let index: GeoIndex
    public let media: MediaRepository

    public init(index: GeoIndex, media: MediaRepository) {
        self.index = index
        self.media = media
    }

    public struct Query: Sendable, Hashable {
        public var center: MediaLocation
        public var radiusMeters: Double
        public var order: GeoOrder
        public var limit: Int
        public var cursor: GeoCursor?

        public init(center: MediaLocation, radiusMeters: Double, order: GeoOrder, limit: Int, cursor: GeoCursor? = nil) {
            self.center = center
            self.radiusMeters = radiusMeters
            self.order = order
            self.limit = limit
            self.cursor = cursor
        }
    }

    public struct Page: Sendable {
        public var media: [MediaRecord]
        /// Index entries of this page, in order (deleted media included: they move the cursor, they are not shown).
        public var hits: [GeoIndex.Hit]
        public var nextCursor: GeoCursor?
    }

    public func page(_ query: Query, logger: Logger) async throws -> Page {
        let (hits, nextCursor) = try await entries(query)
        let records = try await media.media(ids: hits.map(\.id), logger: logger)
        return Page(media: records, hits: hits, nextCursor: nextCursor)
    }

    /// The page's index entries and the cursor after them (nil at the end).
    func entries(_ query: Query) async throws -> ([GeoIndex.Hit], GeoCursor?) {
        switch query.order {
        case .recent:
            let all = try await index.search(center: query.center, radiusMeters: query.radiusMeters)
            return Self.recentPage(all, query: query)
        case .distance:
            var served = 0
            if case let .distance(_, _, hint) = query.cursor?.position { served = hint }
            var want = served + query.limit + 1
            while true {
                let nearest = try await index.search(center: query.center, radiusMeters: query.radiusMeters, count: want)
                if let page = Self.distancePage(nearest, asked: want, query: query) { return page }
                want *= 2
            }
        }
    }

    /// Newest first below the cursor.
    static func recentPage(_ all: [GeoIndex.Hit], query: Query) -> ([GeoIndex.Hit], GeoCursor?) {
        var before = ShardedID(rawValue: .max)
        if case let .recent(id) = query.cursor?.position { before = id }
        let newer = all.filter { $0.id < before }.sorted { $0.id > $1.id }
        let page = Array(newer.prefix(query.limit))
        guard newer.count > query.limit, let last = page.last else { return (page, nil) }
        return (page, GeoCursor(.recent(before: last.id)))
    }

    /// Nearest first (then lowest id) after the cursor, from the `asked` nearest members; nil when those are not
    /// enough to fill the page with certainty (ask for more). When Redis cut the list at `asked`, members at the last
    /// distance may be missing, so only entries strictly nearer than it count.
    static func distancePage(_ nearest: [GeoIndex.Hit], asked: Int, query: Query) -> ([GeoIndex.Hit], GeoCursor?)? {
        let truncated = nearest.count >= asked
        let sure = truncated ? nearest.filter { $0.distance < nearest[nearest.count - 1].distance } : nearest
        var after: (Double, ShardedID)?
        var served = 0
        if case let .distance(distance, id, hint) = query.cursor?.position {
            after = (distance, id)
            served = hint
        }
        let remaining = sure.filter { hit in
            guard let after else { return true }
            return (hit.distance, hit.id) > after
        }.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
        if remaining.count <= query.limit && truncated { return nil }
        let page = Array(remaining.prefix(query.limit))
        guard remaining.count > query.limit, let last = page.last else { return (page, nil) }
        return (page, GeoCursor(.distance(after: last.distance, id: last.id, served: served + page.count)))
    }
}
