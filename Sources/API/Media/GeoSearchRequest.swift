import Hummingbird
import Pipeline
import Storage

/// `?lat=&lng=&radius_m=&order=&cursor=&limit=` of `GET /v1/media/search`, validated: every rule broken is a 400
/// `validation_failed` naming the field.
///
/// Numbers must be plain decimals (`-33.8688`, ``DecimalText``): no exponent, sign `+`, `nan`, `inf`, hex or spaces. A centre beyond ±85.05112878° latitude is refused: the index (Redis GEO, Web-Mercator) cannot
/// hold or search points there.
struct GeoSearchRequest: Sendable {
    static let maxRadiusMeters = 50_000.0

    var query: GeoSearch.Query

    init(_ request: Request) throws(APIError) {
        let parameters = request.uri.queryParameters
        let lat = try Self.decimal(parameters.get("lat"), field: "lat", range: -90...90)
        guard abs(lat) <= GeoIndex.maxLatitude else {
            throw APIError(.validationFailed, "lat must be within ±\(GeoIndex.maxLatitude) (the place index's limit)", field: "lat")
        }
        let lng = try Self.decimal(parameters.get("lng"), field: "lng", range: -180...180)
        let radius = try Self.decimal(parameters.get("radius_m"), field: "radius_m", range: 0...Self.maxRadiusMeters)
        guard radius > 0 else { throw APIError(.validationFailed, "radius_m must be above 0", field: "radius_m") }
        var order = GeoOrder.recent
        if let text = parameters.get("order") {
            guard let value = GeoOrder(rawValue: text) else {
                throw APIError(.validationFailed, "order must be recent or distance", field: "order")
            }
            order = value
        }
        var cursor: GeoCursor?
        if let text = parameters.get("cursor"), !text.isEmpty {
            guard let value = GeoCursor(token: text), value.order == order else {
                throw APIError(.validationFailed, "cursor must be a next_cursor of the same search", field: "cursor")
            }
            cursor = value
        }
        query = GeoSearch.Query(
            center: MediaLocation(latitude: lat, longitude: lng), radiusMeters: radius, order: order, limit: try PageRequest.limit(request),
            cursor: cursor)
    }

    /// A required plain decimal (`-?digits[.digits]`) within `range`.
    static func decimal(_ text: String?, field: String, range: ClosedRange<Double>) throws(APIError) -> Double {
        let rule = "\(field) must be a plain decimal number in \(Int(range.lowerBound))...\(Int(range.upperBound))"
        guard let text, let value = DecimalText.double(text), range.contains(value) else {
            throw APIError(.validationFailed, rule, field: field)
        }
        return value
    }
}
