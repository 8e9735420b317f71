import Pipeline

/// The text fields of a form, from multipart parts and query parameters alike: each given at most once (a repeated
/// field is refused, not resolved by taking the first or the last), each valid UTF-8. Names the form does not know
/// are ignored.
struct FormFields: Sendable {
    let known: Set<String>
    private(set) var values: [String: String] = [:]

    init(known: Set<String>) {
        self.known = known
    }

    mutating func add(_ name: String, _ bytes: some Collection<UInt8>) throws(APIError) {
        guard known.contains(name) else { return }
        guard values[name] == nil else { throw APIError(.validationFailed, "\(name) is given more than once", field: name) }
        do {
            values[name] = try TextRules.decodeUTF8(bytes, field: name)
        } catch {
            throw APIError(error)
        }
    }

    subscript(name: String) -> String? { values[name] }
}
