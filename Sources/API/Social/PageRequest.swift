import Hummingbird
import Pipeline
import Storage

/// `?cursor=<last id>&limit=<n>` of a list route.
struct PageRequest: Sendable {
    static let defaultLimit = 20
    static let maxLimit = 100

    var cursor: ShardedID?
    var limit: Int

    init(_ request: Request) throws(APIError) {
        let query = request.uri.queryParameters
        if let text = query.get("cursor"), !text.isEmpty {
            guard let id = ShardedID(string: text) else {
                throw APIError(.validationFailed, "cursor must be an id from next_cursor", field: "cursor")
            }
            cursor = id
        }
        if let text = query.get("limit") {
            guard let value = DecimalText.nonNegativeInt(text), (1...Self.maxLimit).contains(value) else {
                throw APIError(.validationFailed, "limit must be between 1 and \(Self.maxLimit)", field: "limit")
            }
            limit = value
        } else {
            limit = Self.defaultLimit
        }
    }

    /// A path id; malformed ones answer like unknown ones.
    static func id(_ context: APIRequestContext, _ name: String, what: String) throws(APIError) -> ShardedID {
        guard let id = ShardedID(path: context.parameters.get(name) ?? "") else {
            throw APIError(.notFound, "no such \(what)")
        }
        return id
    }
}
