/// Parses a ListObjectsV2 answer (`<ListBucketResult>`) into an `ObjectListing`.
enum S3ListResult {
    static func parse(_ xml: String) throws(S3Error) -> ObjectListing {
        guard let result = S3XML.blocks(named: "ListBucketResult", in: xml[...]).first else {
            throw S3Error(.protocolError, "ListObjectsV2 answer has no <ListBucketResult>")
        }
        var entries: [ObjectListing.Entry] = []
        for contents in S3XML.blocks(named: "Contents", in: result) {
            guard let rawKey = S3XML.text(of: "Key", in: contents) else {
                throw S3Error(.protocolError, "ListObjectsV2 entry without <Key>")
            }
            let key: ObjectKey
            do {
                key = try ObjectKey(rawKey)
            } catch {
                // Someone else wrote a key we would never write; listing it would hand callers a key
                // they cannot address, so fail loudly instead of skipping it.
                throw S3Error(.protocolError, "ListObjectsV2 returned unusable key \(rawKey): \(error.message)")
            }
            let size = S3XML.text(of: "Size", in: contents).flatMap { Int($0.trimmingASCIIWhitespace()) }
            guard let size else {
                throw S3Error(.protocolError, "ListObjectsV2 entry \(rawKey) has no valid <Size>")
            }
            entries.append(
                ObjectListing.Entry(
                    key: key,
                    size: size,
                    etag: S3XML.text(of: "ETag", in: contents).map(unquoteETag) ?? "",
                    lastModified: S3XML.text(of: "LastModified", in: contents).flatMap(S3Date.parseISO8601)
                ))
        }
        let truncated = S3XML.text(of: "IsTruncated", in: result)?.trimmingASCIIWhitespace() == "true"
        let token = S3XML.text(of: "NextContinuationToken", in: result).map { $0.trimmingASCIIWhitespace() }
        if truncated, token == nil || token!.isEmpty {
            throw S3Error(.protocolError, "ListObjectsV2 answer is truncated but has no NextContinuationToken")
        }
        return ObjectListing(entries: entries, continuationToken: truncated ? token : nil)
    }
}

/// `"abc"` → `abc`; also accepts the weak form `W/"abc"` and bare values.
func unquoteETag(_ raw: String) -> String {
    var value = Substring(raw.trimmingASCIIWhitespace())
    if value.hasPrefix("W/") { value = value.dropFirst(2) }
    if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
    return String(value)
}
