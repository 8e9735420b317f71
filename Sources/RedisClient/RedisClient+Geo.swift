/// A point as Redis GEO stores it (longitude first, as in the commands).
public struct RedisGeoCoordinate: Sendable, Hashable {
    public var longitude: Double
    public var latitude: Double

    public init(longitude: Double, latitude: Double) {
        self.longitude = longitude
        self.latitude = latitude
    }
}

public struct RedisGeoMember: Sendable, Hashable {
    public var member: String
    public var coordinate: RedisGeoCoordinate

    public init(_ member: String, _ coordinate: RedisGeoCoordinate) {
        self.member = member
        self.coordinate = coordinate
    }
}

public enum RedisGeoUnit: String, Sendable, Hashable, RedisArgument {
    case meters = "m"
    case kilometers = "km"
    case miles = "mi"
    case feet = "ft"

    public var redisArgument: [UInt8] { Array(rawValue.utf8) }
}

/// One GEOSEARCH hit; `distance` (in the search unit) and `coordinate` are set when asked for.
public struct RedisGeoMatch: Sendable, Hashable {
    public var member: String
    public var distance: Double?
    public var coordinate: RedisGeoCoordinate?

    public init(member: String, distance: Double? = nil, coordinate: RedisGeoCoordinate? = nil) {
        self.member = member
        self.distance = distance
        self.coordinate = coordinate
    }
}

extension RedisCommand {
    public static func geoadd(_ key: String, members: [RedisGeoMember]) -> RedisCommand {
        var command = RedisCommand("GEOADD", key)
        for entry in members { command.append(entry.coordinate.longitude, entry.coordinate.latitude, entry.member) }
        return command
    }

    /// `GEOSEARCH key FROMLONLAT lon lat BYRADIUS r unit ASC [COUNT n] [WITHCOORD] [WITHDIST]`, nearest first.
    public static func geosearch(
        _ key: String,
        from center: RedisGeoCoordinate,
        radius: Double,
        unit: RedisGeoUnit = .meters,
        count: Int? = nil,
        withDistance: Bool = false,
        withCoordinate: Bool = false
    ) -> RedisCommand {
        var command = RedisCommand("GEOSEARCH", key, "FROMLONLAT", center.longitude, center.latitude, "BYRADIUS", radius, unit, "ASC")
        if let count { command.append("COUNT", count) }
        if withCoordinate { command.append("WITHCOORD") }
        if withDistance { command.append("WITHDIST") }
        return command
    }

    public static func geopos(_ key: String, members: [String]) -> RedisCommand {
        RedisCommand("GEOPOS", [key] + members)
    }
}

extension RedisReply {
    /// `[lon, lat]` (as bulk strings), or null for a missing member.
    public func geoCoordinate() throws(RedisError) -> RedisGeoCoordinate? {
        guard let parts = try array() else { return nil }
        guard parts.count == 2, let longitude = try parts[0].double(), let latitude = try parts[1].double() else {
            throw unexpected("[longitude, latitude]")
        }
        return RedisGeoCoordinate(longitude: longitude, latitude: latitude)
    }

    /// GEOSEARCH replies: plain members, or `[member, dist?, hash?, [lon, lat]?]` per hit in that order
    /// when WITH* options were given (`withDistance`/`withCoordinate` must match the request).
    public func geoMatches(withDistance: Bool, withCoordinate: Bool) throws(RedisError) -> [RedisGeoMatch] {
        var matches: [RedisGeoMatch] = []
        for element in try elements() {
            guard withDistance || withCoordinate else {
                matches.append(RedisGeoMatch(member: try element.requiredString()))
                continue
            }
            let parts = try element.elements()
            guard parts.count == 1 + (withDistance ? 1 : 0) + (withCoordinate ? 1 : 0) else {
                throw element.unexpected("[member, distance?, coordinate?]")
            }
            var match = RedisGeoMatch(member: try parts[0].requiredString())
            var index = 1
            if withDistance {
                match.distance = try parts[index].double()
                index += 1
            }
            if withCoordinate { match.coordinate = try parts[index].geoCoordinate() }
            matches.append(match)
        }
        return matches
    }
}

extension RedisClient {
    /// Adds or moves members; returns how many were new.
    @discardableResult
    public func geoadd(_ key: String, members: [RedisGeoMember]) async throws -> Int {
        guard !members.isEmpty else { return 0 }
        return Int(try await send(.geoadd(key, members: members)).int())
    }

    /// Members within `radius` of `center`, nearest first.
    public func geosearch(
        _ key: String,
        from center: RedisGeoCoordinate,
        radius: Double,
        unit: RedisGeoUnit = .meters,
        count: Int? = nil,
        withDistance: Bool = true,
        withCoordinate: Bool = false
    ) async throws -> [RedisGeoMatch] {
        let command = RedisCommand.geosearch(
            key, from: center, radius: radius, unit: unit, count: count, withDistance: withDistance, withCoordinate: withCoordinate)
        return try await send(command).geoMatches(withDistance: withDistance, withCoordinate: withCoordinate)
    }

    /// Positions in the order asked; `nil` for members that do not exist.
    public func geopos(_ key: String, members: [String]) async throws -> [RedisGeoCoordinate?] {
        guard !members.isEmpty else { return [] }
        var positions: [RedisGeoCoordinate?] = []
        for element in try await send(.geopos(key, members: members)).elements() {
            positions.append(try element.geoCoordinate())
        }
        return positions
    }
}
