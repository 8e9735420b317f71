import Storage

extension ShardedID {
    /// An id from a request path. Malformed and non-positive ids give nil, which routes answer like unknown ids: both
    /// are simply nothing.
    init?(path text: String) {
        guard let id = ShardedID(string: text), id.rawValue > 0 else { return nil }
        self = id
    }
}
