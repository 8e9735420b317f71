import Storage

extension ShardedID {
    /// An id from a request path, in its one canonical spelling (`description`: no leading zeros), so one resource
    /// has one URL and one CDN cache entry. Malformed, non-canonical and non-positive ids give nil, which routes
    /// answer like unknown ids: all are simply nothing.
    init?(path text: String) {
        guard let id = ShardedID(string: text), id.rawValue > 0, id.description == text else { return nil }
        self = id
    }
}
