import RedisClient

/// The place index: one Redis GEO set (`darkroom:geo:media`) whose members are media ids (decimal) at their *public*
/// location. PostgreSQL stays the truth: the index is filled by the `geo` stage, emptied of deleted media by the
/// `cleanup` stage, and rebuilt from the shards by `darkroom reindex geo` when Redis lost it. Every write is
/// idempotent (GEOADD of a member moves it, ZREM of an absent member is a no-op).
///
/// Redis GEO stores Web-Mercator geohashes, so it holds latitudes within ±``maxLatitude`` only: a media located
/// closer to a pole stays in PostgreSQL with its location but is not searchable (``isIndexable(_:)``).
public struct GeoIndex: Sendable {
    public let redis: RedisClient
    public let key: String

    public static let defaultKey = "darkroom:geo:media"
    /// Redis's limit (EPSG:3857), as `GEOADD` enforces it.
    public static let maxLatitude = 85.05112878

    public init(redis: RedisClient, key: String = GeoIndex.defaultKey) {
        self.redis = redis
        self.key = key
    }

    public static func isIndexable(_ location: MediaLocation) -> Bool {
        location.latitude.isFinite && location.longitude.isFinite
            && abs(location.latitude) <= maxLatitude && abs(location.longitude) <= 180
    }

    /// Adds (or moves) media; locations outside the index's band are left out. Returns how many were written.
    @discardableResult
    public func add(_ entries: [(id: ShardedID, location: MediaLocation)]) async throws -> Int {
        let members = entries.filter { Self.isIndexable($0.location) }.map {
            RedisGeoMember($0.id.description, RedisGeoCoordinate(longitude: $0.location.longitude, latitude: $0.location.latitude))
        }
        try await redis.geoadd(key, members: members)
        return members.count
    }

    public func remove(_ ids: [ShardedID]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await redis.zrem(key, members: ids.map(\.description))
    }

    /// One hit of ``search(center:radiusMeters:count:)``.
    public struct Hit: Sendable, Hashable {
        public var id: ShardedID
        /// Metres from the centre, as Redis computes it (same stored point, same centre: the same value every time).
        public var distance: Double
    }

    /// Members within `radiusMeters` of `center`, nearest first, at most `count` (all when nil). Members that are not
    /// ids (written by hand) are skipped.
    public func search(center: MediaLocation, radiusMeters: Double, count: Int? = nil) async throws -> [Hit] {
        let matches = try await redis.geosearch(
            key, from: RedisGeoCoordinate(longitude: center.longitude, latitude: center.latitude), radius: radiusMeters, unit: .meters,
            count: count, withDistance: true)
        return matches.compactMap { match in
            guard let id = ShardedID(string: match.member), let distance = match.distance else { return nil }
            return Hit(id: id, distance: distance)
        }
    }
}
